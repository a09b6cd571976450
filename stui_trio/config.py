"""One frozen :class:`ServerConfig`, built from four layers, later ones winning:

    embedded defaults  <  TOML file (``--config``)  <  environment (``STUI_*``)  <  CLI flags

Every limit of the server is a field here; ``docs/operations.md`` documents each one. The TOML
file uses the field names as keys (top level, or a ``[server]`` table) and a ``[tiers]`` table
mapping tier name -> features; ``[auth.tokens]`` maps an auth token -> tier. The environment uses
``STUI_`` + the upper-cased field name (``STUI_SESSION_TIMEOUT=600``); ``STUI_ENDPOINT`` may
hold several endpoints separated by commas.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5555"

#: Subscription tiers in ascending order; each adds features to those of the tiers before it.
DEFAULT_TIERS: dict[str, tuple[str, ...]] = {
    "free": ("evaluate", "inspect", "browse", "completion", "transcript", "history", "sessions"),
    "pro": ("remote_debugger", "profiler", "persistent_workspaces"),
    "team": ("shared_sessions", "collaboration", "audit_log"),
}


class ConfigError(Exception):
    """A setting is missing, of the wrong type or out of range; the message names it."""


def _positive(_inst: Any, attribute: attrs.Attribute, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"setting '{attribute.name}' must be > 0 (got {value})")


def _one_of(*choices: str) -> Any:
    def check(_inst: Any, attribute: attrs.Attribute, value: str) -> None:
        if value not in choices:
            raise ConfigError(
                f"setting '{attribute.name}' must be one of {', '.join(choices)} (got {value!r})"
            )

    return check


def _non_negative(_inst: Any, attribute: attrs.Attribute, value: float) -> None:
    if value < 0:
        raise ConfigError(f"setting '{attribute.name}' must be >= 0 (got {value})")


@attrs.frozen(kw_only=True)
class ServerConfig:
    """Everything the server can be told. All durations are in seconds."""

    endpoints: tuple[str, ...] = (DEFAULT_ENDPOINT,)
    sessions_dir: Path = Path("sessions")
    log_level: str = "INFO"
    #: Largest accepted request body, bytes (bigger ones get MessageTooLarge).
    max_message_bytes: int = attrs.field(default=10 * 1024 * 1024, validator=_positive)
    #: A session expires this long after its last use.
    session_timeout: float = attrs.field(default=3600.0, validator=_positive)
    #: How often the sweeper expires sessions and ends idle client tasks.
    cleanup_interval: float = attrs.field(default=60.0, validator=_positive)
    max_sessions_per_client: int = attrs.field(default=5, validator=_positive)
    #: Client tasks alive at once; a new client beyond it gets RateLimited.
    max_concurrent_clients: int = attrs.field(default=1000, validator=_positive)
    #: Token bucket per client: sustained requests/second (0 disables) and burst size.
    rate_limit_per_second: float = attrs.field(default=5000.0, validator=_non_negative)
    rate_limit_burst: int = attrs.field(default=10000, validator=_positive)
    #: Requests waiting in one client's queue; more get RateLimited.
    client_queue_size: int = attrs.field(default=256, validator=_positive)
    #: Evaluation time limit when the request gives none, and the cap on what it may ask.
    evaluation_timeout: float = attrs.field(default=30.0, validator=_positive)
    evaluation_timeout_max: float = attrs.field(default=300.0, validator=_positive)
    #: A client task with nothing to do ends after this long (its sessions live on).
    client_idle_timeout: float = attrs.field(default=300.0, validator=_positive)
    #: On SIGINT/SIGTERM, in-flight requests get this long to finish.
    shutdown_grace_period: float = attrs.field(default=10.0, validator=_non_negative)
    #: Crashes of one client task tolerated within ``restart_window`` before it is given up.
    max_client_restarts: int = attrs.field(default=5, validator=_non_negative)
    restart_window: float = attrs.field(default=60.0, validator=_positive)
    #: Expired session ids remembered (so they answer SessionExpired, not SessionNotFound).
    expired_memory: int = attrs.field(default=100_000, validator=_non_negative)
    #: Tier table: tier -> features it adds (cumulative in TIER_ORDER).
    tiers: Mapping[str, tuple[str, ...]] = attrs.field(factory=lambda: dict(DEFAULT_TIERS))
    #: Tier of a client without a (known) auth token.
    default_tier: str = "free"
    #: auth token -> tier.
    auth_tokens: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    #: Where sessions live: "durable" (STON files under sessions_dir, the default) or
    #: "memory" (lost at exit; for tests and throwaway servers).
    session_store: str = attrs.field(default="durable", validator=_one_of("durable", "memory"))
    #: "full": a change is acknowledged once fsynced. "relaxed": acknowledged once queued,
    #: flushed every relaxed_flush_interval_ms (a crash loses up to that much).
    durability: str = attrs.field(default="full", validator=_one_of("full", "relaxed"))
    #: Group commit: extra wait (ms) for more saves before a batch is written. 0 (default):
    #: none; saves arriving while a batch is being written form the next batch anyway.
    group_commit_window_ms: float = attrs.field(default=0.0, validator=_non_negative)
    #: Relaxed durability: milliseconds between flushes.
    relaxed_flush_interval_ms: float = attrs.field(default=100.0, validator=_positive)
    #: Full durability: ms between checkpoints, which write the journaled sessions' files
    #: (each once, however often it was saved) and cut the journal.
    checkpoint_interval_ms: float = attrs.field(default=5000.0, validator=_positive)
    #: An evaluate that binds a workspace variable is acknowledged after its session is on
    #: disk; the rest of what evaluations change (history, Transcript, object registry, state
    #: inside bound objects) is saved every workspace_flush_interval_ms.
    workspace_flush_interval_ms: float = attrs.field(default=1000.0, validator=_positive)
    #: Older versions kept per session file (session_....ston.1 .. .N).
    session_backups: int = attrs.field(default=3, validator=_non_negative)
    #: The image change log (``image.changes``) is rewritten with only its live entries at
    #: start (after replay) once at least this many of its entries are superseded (a method
    #: compiled again, a class redefined, a method removed); 0 = never at start.
    change_log_compact_min_superseded: int = attrs.field(default=1000, validator=_non_negative)
    #: Disk bytes one client's folder may use (backups and quarantine included); 0 = no cap.
    client_disk_quota_bytes: int = attrs.field(default=64 * 1024 * 1024, validator=_non_negative)
    #: Session files not saved for this long (and quarantined files older than it) are
    #: removed by the sweeper; 0 = never. Must not be below session_timeout.
    session_file_max_age: float = attrs.field(default=30 * 86400.0, validator=_non_negative)
    #: Per-session limits of the live tools (each session keeps these bounded and persisted):
    #: object references kept (least recently used dropped first), evaluation history
    #: entries, Transcript entries, inspector navigation steps.
    registry_capacity: int = attrs.field(default=10_000, validator=_positive)
    #: The most recently used object references saved with a session (the rest live only
    #: while the server runs): a file stays small however many results a session has seen.
    persisted_registry_entries: int = attrs.field(default=200, validator=_non_negative)
    history_capacity: int = attrs.field(default=500, validator=_positive)
    transcript_capacity: int = attrs.field(default=2_000, validator=_positive)
    inspector_history: int = attrs.field(default=50, validator=_positive)
    #: Recent replies kept (and persisted) per session, by request id, so a retried request
    #: is answered from it instead of running twice; 0 disables (and get_missed_replies).
    reply_buffer_size: int = attrs.field(default=64, validator=_non_negative)
    #: Evaluations running at once in worker threads (the EvaluationPool), all sessions together.
    evaluation_threads: int = attrs.field(default=4, validator=_positive)
    #: Seconds a stopped (interrupted or timed-out) evaluation's worker may take to notice
    #: before its request is answered and the worker is left to finish on its own.
    interrupt_grace: float = attrs.field(default=0.25, validator=_positive)
    #: How often (ms) CPython lets another thread take the GIL. Evaluations are CPU-bound
    #: Python in worker threads; a shorter interval than CPython's 5 ms lets the event loop
    #: answer other clients sooner while one runs.
    gil_switch_interval_ms: float = attrs.field(default=1.0, validator=_positive)
    #: CPython's garbage collector runs a young-generation pass every this many new container
    #: objects (its own default: 700). A busy server keeps many long-lived ones (sessions,
    #: replies, workspaces); every pass and the older ones it leads to stop all threads, so
    #: fewer passes mean fewer pauses. The objects alive once the server is ready (the booted
    #: image) are frozen out of the collector's scans as well.
    gc_young_threshold: int = attrs.field(default=10_000, validator=_positive)
    #: Most completions one `complete` answers.
    completion_limit: int = attrs.field(default=50, validator=_positive)
    #: Test builds only: registers commands that crash or sleep on purpose.
    enable_test_commands: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.endpoints:
            raise ConfigError("setting 'endpoints' needs at least one endpoint")
        if self.evaluation_timeout > self.evaluation_timeout_max:
            raise ConfigError(
                "setting 'evaluation_timeout' must not exceed 'evaluation_timeout_max' "
                f"({self.evaluation_timeout} > {self.evaluation_timeout_max})"
            )
        if self.default_tier not in self.tiers:
            raise ConfigError(
                f"setting 'default_tier' = {self.default_tier!r} is not one of the tiers "
                f"{list(self.tiers)}"
            )
        if 0 < self.session_file_max_age < self.session_timeout:
            raise ConfigError(
                "setting 'session_file_max_age' must be 0 (never) or at least "
                f"'session_timeout' ({self.session_file_max_age} < {self.session_timeout})"
            )
        for token, tier in self.auth_tokens.items():
            if tier not in self.tiers:
                raise ConfigError(f"auth token {token[:4]}… maps to unknown tier {tier!r}")


    def evaluation_timeout_for(self, timeout_ms: int | None) -> float:
        """Seconds an evaluation may run: its own ``timeout_ms`` if given, capped at
        ``evaluation_timeout_max``; ``evaluation_timeout`` otherwise."""
        if timeout_ms is None or timeout_ms <= 0:
            return self.evaluation_timeout
        return min(timeout_ms / 1000.0, self.evaluation_timeout_max)


_FIELDS = {a.name: a for a in attrs.fields(ServerConfig)}
_ENV_SKIP = {"tiers", "auth_tokens"}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a TOML/env/CLI value into the field's type, naming the setting on failure."""
    kind = _FIELDS[name].default
    kind = kind.factory() if isinstance(kind, attrs.Factory) else kind  # type: ignore[attr-defined]
    try:
        if name == "endpoints":
            if isinstance(value, str):
                value = [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise TypeError("a list of endpoint strings")
            return tuple(value)
        if name == "sessions_dir":
            return Path(value)
        if name in ("session_store", "durability"):
            return str(value).strip().lower()
        if name == "log_level":
            level = str(value).upper()
            if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
                raise ValueError("one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
            return level
        if name == "tiers":
            if not isinstance(value, dict):
                raise TypeError("a table of tier -> list of features")
            return {str(k): tuple(str(f) for f in v) for k, v in value.items()}
        if name == "auth_tokens":
            if not isinstance(value, dict):
                raise TypeError("a table of token -> tier")
            return {str(k): str(v) for k, v in value.items()}
        if isinstance(kind, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError("true or false")
        if isinstance(kind, int):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError("an integer")
            return int(value)
        if isinstance(kind, float):
            if isinstance(value, bool):
                raise ValueError("a number")
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: setting '{name}' must be {exc} (got {value!r})") from None


def settings_from_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == "server" and isinstance(value, dict):
            flat.update(value)
        elif key == "auth" and isinstance(value, dict):
            if "tokens" in value:
                flat["auth_tokens"] = value["tokens"]
        elif key == "endpoint":
            flat["endpoints"] = value
        else:
            flat[key] = value
    out = {}
    for key, value in flat.items():
        if key not in _FIELDS:
            raise ConfigError(
                f"config file {path}: unknown setting {key!r}; known: {', '.join(sorted(_FIELDS))}"
            )
        out[key] = _coerce(key, value, f"config file {path}")
    return out


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _FIELDS:
        if name in _ENV_SKIP:
            continue
        var = "STUI_ENDPOINT" if name == "endpoints" else f"STUI_{name.upper()}"
        if var in env and env[var] != "":
            out[name] = _coerce(name, env[var], f"environment variable {var}")
    return out


def build_config(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ServerConfig:
    """Layer defaults < ``config_file`` < ``env`` < ``overrides`` (CLI flags) into one config."""
    settings: dict[str, Any] = {}
    if config_file is not None:
        settings.update(settings_from_toml(config_file))
    settings.update(settings_from_env(env or {}))
    for key, value in (overrides or {}).items():
        if value is not None:
            settings[key] = _coerce(key, value, f"option --{key.replace('_', '-')}")
    try:
        return ServerConfig(**settings)
    except TypeError as exc:
        raise ConfigError(str(exc)) from None


def setting_names() -> list[str]:
    return list(_FIELDS)
