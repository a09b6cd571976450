"""``python -m stui_trio``: parse flags, build the :class:`ServerConfig`, run the server.

Settings come from embedded defaults < ``--config FILE.toml`` < ``STUI_*`` environment
variables < command-line flags. Every setting has a flag (``--session-timeout 600``). Problems an
operator can fix (endpoint in use, sessions dir not writable, a bad setting) are printed as one
line on stderr, exit code 2, no traceback.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import trio

from stui_trio import __version__
from stui_trio.config import ConfigError, ServerConfig, build_config
from stui_trio.server.supervisor import serve
from stui_trio.server.wire import TransportError
from stui_trio.sessions.image_log import IMAGE_CHANGES_NAME, compact_change_log
from stui_trio.storage import SaveFailed, StorageLocked

#: Help text per setting (flags are generated from the config's fields).
SETTING_HELP: dict[str, str] = {
    "sessions_dir": "where sessions are stored (default ./sessions)",
    "log_level": "DEBUG (one line per request), INFO, WARNING, ERROR (default INFO)",
    "max_message_bytes": "largest accepted request in bytes; larger gets MessageTooLarge "
    "(default 10485760 = 10 MiB)",
    "session_timeout": "seconds a session lives after its last use (default 3600)",
    "cleanup_interval": "seconds between sweeps expiring sessions / idle client tasks "
    "(default 60)",
    "max_sessions_per_client": "open sessions one client may hold; more gets "
    "SessionLimitExceeded (default 5)",
    "max_concurrent_clients": "client tasks alive at once; a new client beyond it gets "
    "RateLimited (default 1000)",
    "rate_limit_per_second": "sustained requests/s per client (token bucket); 0 = unlimited "
    "(default 5000)",
    "rate_limit_burst": "requests a client may send at once above the rate (default 10000)",
    "client_queue_size": "requests queued per client before RateLimited (default 256)",
    "evaluation_timeout": "seconds an evaluation may run when it asks for no limit "
    "(default 30)",
    "evaluation_timeout_max": "cap on the timeout_ms an evaluation may ask for, seconds "
    "(default 300)",
    "client_idle_timeout": "seconds before an idle client task ends; sessions live on "
    "(default 300)",
    "shutdown_grace_period": "seconds in-flight requests get on SIGINT/SIGTERM (default 10)",
    "max_client_restarts": "crashes of one client task tolerated per restart window before "
    "it is given up (default 5)",
    "restart_window": "seconds over which client task crashes are counted (default 60)",
    "expired_memory": "expired session ids remembered to answer SessionExpired rather than "
    "SessionNotFound (default 100000)",
    "default_tier": "subscription tier of clients without an auth token (default free)",
    "session_store": "durable (STON files under --sessions-dir, default) or memory (lost at "
    "exit)",
    "durability": "full (ack after fsync, default) or relaxed (ack when queued; a crash loses "
    "up to --relaxed-flush-interval-ms of acknowledged changes)",
    "group_commit_window_ms": "extra ms to wait for more saves before writing a batch; saves "
    "arriving during a write share the next fsync anyway (default 0)",
    "relaxed_flush_interval_ms": "relaxed durability: ms between flushes (default 100)",
    "checkpoint_interval_ms": "full durability: ms between checkpoints that write the "
    "journaled sessions' STON files and cut the journal (default 5000)",
    "registry_capacity": "object references kept per session (default 10000)",
    "persisted_registry_entries": "most recently used object references saved with a "
    "session; older ones live only until the server stops (default 200)",
    "history_capacity": "evaluation history entries kept per session (default 500)",
    "transcript_capacity": "Transcript entries kept per session (default 2000)",
    "inspector_history": "inspector navigation steps kept per session (default 50)",
    "reply_buffer_size": "recent replies kept per session so a retried request id is "
    "answered, not run twice; 0 = off (default 64)",
    "evaluation_threads": "evaluations running at once, all sessions together (default 4)",
    "interrupt_grace": "seconds a stopped evaluation's worker may take to notice before the "
    "reply stops waiting for it (default 0.25)",
    "change_log_compact_min_superseded": "rewrite the image change log with only its live "
    "entries at start once this many are superseded; 0 = never (default 1000)",
    "completion_limit": "most completions one 'complete' answers (default 50)",
    "gil_switch_interval_ms": "ms a thread may hold the GIL before another runs; shorter keeps "
    "the server responsive while evaluations run (default 1; CPython's own is 5)",
    "gc_young_threshold": "new container objects between two young-generation garbage "
    "collector passes (default 10000; CPython's own is 700)",
    "workspace_flush_interval_ms": "ms between background saves of workspaces changed by "
    "evaluations that bound no variable (default 1000)",
    "session_backups": "older versions kept per session file (default 3)",
    "client_disk_quota_bytes": "disk bytes per client folder; 0 = no cap (default 67108864 = "
    "64 MiB)",
    "session_file_max_age": "seconds after which unsaved session files and quarantined files "
    "are removed; 0 = never (default 2592000 = 30 days)",
    "enable_test_commands": "TESTS ONLY: register test_crash/test_sleep commands",
}

_NO_FLAG = {"endpoints", "tiers", "auth_tokens"}

EPILOG = """\
Settings are layered: defaults < --config FILE.toml < environment < flags.
Environment: STUI_ENDPOINT (comma-separated endpoints), STUI_SESSIONS_DIR, and STUI_<SETTING>
for every setting above, e.g. STUI_SESSION_TIMEOUT=600, STUI_LOG_LEVEL=DEBUG.
TOML: the same names as keys (top level or [server]), plus [tiers] (tier = [features], in
ascending order; each tier adds to the ones before it) and [auth.tokens] (token = "tier").
Endpoints: tcp://HOST:PORT (tcp://127.0.0.1:* picks a free port), ipc:///path/sock.
On SIGINT/SIGTERM the server stops taking work, finishes in-flight requests within
--shutdown-grace-period, and exits 0. Exit code 2: a setting or the environment is wrong.
See docs/operations.md for every value and its default.
"""


def _metavar(name: str, default: object) -> str:
    if name.endswith("per_second"):
        return "RATE"
    if name.endswith("_ms"):
        return "MS"
    if name in ("session_store", "durability"):
        return "MODE"
    if isinstance(default, float):
        return "SECONDS" if not isinstance(default, bool) else "BOOL"
    if isinstance(default, int):
        return "N"
    if isinstance(default, Path):
        return "DIR"
    return "VALUE"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stui_trio",
        description="stui_trio: a multi-client Smalltalk backend for STUI on a ZeroMQ ROUTER "
        "socket (protocol v1, command and envelope dialects).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", action="append", dest="endpoints", metavar="ENDPOINT",
        help="ZeroMQ endpoint to bind; repeat for several (default tcp://127.0.0.1:5555)",
    )
    parser.add_argument("--config", type=Path, metavar="FILE.toml", help="TOML settings file")
    parser.add_argument("--version", action="version", version=f"stui_trio {__version__}")
    parser.add_argument(
        "--compact-changes", action="store_true",
        help="rewrite the sessions dir's image change log (image.changes) with only its live "
        "entries, then exit; refused while a server holds the directory",
    )
    for field in attrs.fields(ServerConfig):
        if field.name in _NO_FLAG:
            continue
        flag = "--" + field.name.replace("_", "-")
        if isinstance(field.default, bool):
            parser.add_argument(
                flag, dest=field.name, action="store_const", const=True, default=None,
                help=SETTING_HELP.get(field.name),
            )
        else:
            parser.add_argument(
                flag, dest=field.name, metavar=_metavar(field.name, field.default),
                help=SETTING_HELP.get(field.name),
            )
    return parser


def check_sessions_dir(path: Path) -> None:
    """Create the sessions dir if needed and prove it is writable (else ConfigError)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"sessions dir {str(path)!r} is not writable ({exc.strerror}); choose another with "
            "--sessions-dir or STUI_SESSIONS_DIR, or fix its permissions"
        ) from None


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def compact_changes(config: ServerConfig) -> int:
    """``--compact-changes``: compact ``<sessions_dir>/image.changes`` offline, then exit.

    Exit 0 when compacted or nothing was superseded, 1 when the log holds entries this version
    does not understand (left as it is), 2 when a server holds the directory or writing failed.
    """
    path = config.sessions_dir / IMAGE_CHANGES_NAME
    if not path.exists():
        print(f"stui_trio: {path}: no change log, nothing to compact", flush=True)
        return 0
    try:
        result, repair = compact_change_log(path)
    except StorageLocked as exc:
        print(f"stui_trio: error: {exc}; stop that server first, --compact-changes needs the "
              "directory to itself", file=sys.stderr)
        return 2
    except SaveFailed as exc:
        print(f"stui_trio: error: {exc}; the change log was left as it was", file=sys.stderr)
        return 2
    if repair is not None:
        print(f"stui_trio: {repair}", file=sys.stderr)
    print(f"stui_trio: {path}: {result.describe()}", flush=True)
    return 1 if result.refused else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides: dict[str, Any] = {
        k: v for k, v in vars(args).items()
        if k not in ("config", "compact_changes") and v is not None
    }
    try:
        config = build_config(config_file=args.config, env=os.environ, overrides=overrides)
        check_sessions_dir(config.sessions_dir)
    except ConfigError as exc:
        print(f"stui_trio: error: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log_level)
    if args.compact_changes:
        return compact_changes(config)
    # Interpreter-wide, so set once here at the entry point, not by the library.
    sys.setswitchinterval(config.gil_switch_interval_ms / 1000.0)
    gc.set_threshold(config.gc_young_threshold, *gc.get_threshold()[1:])

    def ready(endpoints: list[str]) -> None:
        # What is alive now (the booted image, the kernel's compiled methods) lives as long
        # as the server: keep it out of every later collection's scan.
        gc.collect()
        gc.freeze()
        # One line on stdout that scripts (and tests) wait for.
        print(f"stui_trio listening on {' '.join(endpoints)}", flush=True)

    try:
        trio.run(lambda: serve(config, on_ready=ready))
    except TransportError as exc:
        print(
            f"stui_trio: error: {exc} (endpoints are set with --endpoint or STUI_ENDPOINT)",
            file=sys.stderr,
        )
        return 2
    except StorageLocked as exc:
        print(f"stui_trio: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a signal before the watcher was installed
        return 0
    return 0
