"""Issue 6's persistence scenario: restore latency by workspace size, file sizes, durable acks/s.

    build:    one server, durable store (the default). For each size B in 10, 1,000, 10,000:
              K clients, one session each, given B real workspace bindings by evaluate
              (doits of top-level assignments: the server binds them as Smalltalk workspace
              variables and saves them before replying). Plus one *typical* session: 10
              bindings, 20 evaluations, 50 Transcript lines. Stop the server.
    sizes:    each session's current file (and with its backups), by size; the typical one.
    restore:  R times: start a server on the same directory (nothing is loaded at start: the
              durable store reads a client's files on that client's first request), then for
              every session, from a new socket of its client:
              cold  = restore_session as the client's first request after the restart (the
                      lazy load of its files, STON parse and checksum included);
              then, on the last round, ``warm`` = restore_session again, W times per size;
              first use = the first evaluate after the restart (``b1``, its value checked: the
                      workspace's Smalltalk objects are rebuilt from the file then, lazily).
              The binding count and the value read back are checked, so a session that did
              not come back whole fails the run instead of looking fast.
    updates:  a fresh server per client count (1, 50): closed-loop update_session_state of a
              typical state (~4 KB), full durability: acknowledged updates per second.

The page cache is warm (the harness cannot drop it without root), so "read from disk" means
the server opens, reads, verifies and parses the file, not that the disk head moves.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from bench.harness.evaluate_scenario import Run
from bench.harness.loadgen import StepConfig
from bench.harness.runner import run_step
from bench.harness.servers import stui_server
from bench.harness.stats import LatencySummary
from bench.scenarios.base import Mix
from bench.scenarios.persistence import (
    DURABLE_UPDATE,
    binding_doits,
    binding_value,
    typical_doits,
)
from bench.scenarios.sessions import CLIENT_INFO
from stui_trio.client import Client, ClientOptions

TYPICAL = "typical"


@attrs.frozen
class PersistenceSettings:
    bindings: tuple[int, ...] = (10, 1_000, 10_000)
    sessions_per_size: int = 4      # K
    restarts: int = 5               # R: K x R cold restores per size
    warm_restores: int = 20         # W per size, on the last round
    update_clients: tuple[int, ...] = (1, 50)
    update_seconds: float = 5.0
    max_ops: int = 1_000_000


FULL = PersistenceSettings()
QUICK = PersistenceSettings(bindings=(10, 200), sessions_per_size=2, restarts=1, warm_restores=5,
                            update_clients=(1, 4), update_seconds=1.0)


@attrs.frozen
class Held:
    """One session the scenario built: whose, which, how many bindings."""

    client_id: str
    session_id: str
    bindings: int


def _client(endpoint: str, client_id: str) -> Client:
    return Client(options=ClientOptions(endpoint=endpoint, client_id=client_id, timeout=120,
                                        retries=0))


def _build(endpoint: str, settings: PersistenceSettings,
           on_phase: Callable[[str], None]) -> tuple[list[Held], Held, dict[int, float]]:
    held: list[Held] = []
    seconds: dict[int, float] = {}
    for size in settings.bindings:
        on_phase(f"persistence: building {settings.sessions_per_size} sessions of "
                 f"{size:,} bindings")
        t0 = time.perf_counter()
        for k in range(settings.sessions_per_size):
            with _client(endpoint, f"bench-persist-{size}-{k}") as client:
                created = client.create_session(CLIENT_INFO)
                for code in binding_doits(size):
                    reply = client.evaluate(code)
                    if reply.get("has_error"):
                        raise RuntimeError(f"binding doit failed: {reply.get('result')!s:.200}")
                held.append(Held(client.client_id, str(created["session_id"]), size))
        seconds[size] = round((time.perf_counter() - t0) / settings.sessions_per_size, 2)
    with _client(endpoint, "bench-persist-typical") as client:
        created = client.create_session(CLIENT_INFO)
        for code in typical_doits():
            client.evaluate(code)
        typical = Held(client.client_id, str(created["session_id"]), 10)
    return held, typical, seconds


def _file(root: Path, held: Held) -> Path:
    return root / held.client_id / f"session_{held.client_id}_{held.session_id}.ston"


def _sizes(root: Path, held: list[Held], typical: Held) -> dict[str, Any]:
    by_size: dict[str, Any] = {}
    for size in sorted({h.bindings for h in held}):
        current = [_file(root, h).stat().st_size for h in held if h.bindings == size]
        with_backups = [sum(p.stat().st_size for p in _file(root, h).parent.glob(
            _file(root, h).name + "*")) for h in held if h.bindings == size]
        by_size[str(size)] = {"median_bytes": int(statistics.median(current)),
                              "max_bytes": max(current),
                              "with_backups_bytes": max(with_backups)}
    typical_bytes = _file(root, typical).stat().st_size
    every = [_file(root, h).stat().st_size for h in [*held, typical]]
    return {"typical_bytes": typical_bytes, "largest_bytes": max(every),
            "by_bindings": by_size}


def _timed(fn: Callable[[], dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter_ns()
    reply = fn()
    return (time.perf_counter_ns() - t0) / 1000, reply


def _check_restored(held: Held, reply: dict[str, Any]) -> None:
    found = len(reply.get("workspace_context") or {})
    if found != held.bindings:
        raise RuntimeError(f"{held.client_id}: restore_session gave {found} bindings, "
                           f"expected {held.bindings}")


def _restore_rounds(root: Path, held: list[Held], settings: PersistenceSettings, top: int,
                    on_phase: Callable[[str], None]) -> dict[str, dict[str, list[float]]]:
    samples: dict[str, dict[str, list[float]]] = {
        str(size): {"cold": [], "warm": [], "first_use": []} for size in settings.bindings}
    for rnd in range(settings.restarts):
        on_phase(f"persistence: restart {rnd + 1}/{settings.restarts}, restores")
        with stui_server(max_clients=top, sessions_dir=root) as server:
            clients = {h: _client(server.endpoint, h.client_id) for h in held}
            try:
                for h, client in clients.items():  # the client's first request: cold
                    us, reply = _timed(lambda c=client, h=h: c.restore_session(h.session_id))
                    _check_restored(h, reply)
                    samples[str(h.bindings)]["cold"].append(us)
                if rnd == settings.restarts - 1:
                    for size in settings.bindings:
                        mine = [h for h in held if h.bindings == size]
                        for i in range(settings.warm_restores):
                            h = mine[i % len(mine)]
                            us, reply = _timed(lambda c=clients[h], h=h:
                                               c.restore_session(h.session_id))
                            _check_restored(h, reply)
                            samples[str(size)]["warm"].append(us)
                for h, client in clients.items():  # first use: the objects are rebuilt
                    client.session_id = h.session_id
                    us, reply = _timed(lambda c=client: c.evaluate("b1"))
                    if reply.get("result") != binding_value(1):
                        raise RuntimeError(f"{h.client_id}: b1 came back as "
                                           f"{reply.get('result')!r}")
                    samples[str(h.bindings)]["first_use"].append(us)
            finally:
                for client in clients.values():
                    client.close()
    return samples


def _durable_updates(settings: PersistenceSettings, how: Run, extra_args: tuple[str, ...],
                     on_phase: Callable[[str], None]) -> list[dict[str, Any]]:
    rows = []
    for n in settings.update_clients:
        on_phase(f"persistence: durable updates, {n} clients")
        with stui_server(max_clients=n, extra_args=extra_args) as server:
            step = run_step(StepConfig(
                target="stui_trio", endpoint=server.endpoint, clients=n, shape="saturation",
                mix=Mix((DURABLE_UPDATE,), (1.0,)), seconds=settings.update_seconds,
                max_ops=settings.max_ops, kind=how.kind, request_timeout=how.request_timeout,
                seed=how.seed), server_pid=server.pid, sessions_dir=None, rss_base_kib=None,
                processes=how.processes)
        s = step.commands.get("durable_update", LatencySummary.of([]))
        rows.append({
            "clients": n, "acked": s.count,
            "acked_per_second": round(s.count / step.wall_seconds, 1)
            if step.wall_seconds else 0.0,
            "p50_us": round(s.p50_us, 1), "p99_us": round(s.p99_us, 1),
            "errors": step.error_count, "error_types": step.error_types,
            "error_examples": step.error_examples, "workers_failed": step.workers_failed,
            "server_cpu_us_per_update": round(step.server_cpu_s / s.count * 1e6, 1)
            if step.server_cpu_s is not None and s.count else None,
            "server_args": list(extra_args)})
    return rows


def durable_updates(settings: PersistenceSettings, how: Run,
                    extra_args: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Acknowledged ``update_session_state`` per second at each of ``update_clients`` (also
    ``tests/persistence/measure_throughput.py``'s measurement); ``extra_args`` are server
    flags, e.g. ``("--durability", "relaxed")``."""
    return _durable_updates(settings, how, extra_args, lambda _p: None)


def _summaries(samples: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for size, kinds in samples.items():
        out[size] = {}
        for kind, values in kinds.items():
            s = LatencySummary.of(values)
            out[size][kind] = {"count": s.count, "p50_us": round(s.p50_us, 1),
                               "p90_us": round(s.p90_us, 1), "p99_us": round(s.p99_us, 1),
                               "max_us": round(s.max_us, 1)}
    return out


def run(settings: PersistenceSettings, how: Run,
        on_phase: Callable[[str], None] = lambda _p: None) -> dict[str, Any]:
    """Build, measure sizes, restore R times, then durable updates; a JSON-able dict."""
    top = len(settings.bindings) * settings.sessions_per_size + 8
    with tempfile.TemporaryDirectory(prefix="stui-bench-persist-") as tmp:
        root = Path(tmp)
        with stui_server(max_clients=top, sessions_dir=root) as server:
            held, typical, build_seconds = _build(server.endpoint, settings, on_phase)
        sizes = _sizes(root, held, typical)
        samples = _restore_rounds(root, held, settings, top, on_phase)
    updates = _durable_updates(settings, how, (), on_phase)
    return {
        "settings": {**attrs.asdict(settings), "store": "durable", "durability": "full"},
        "build_seconds_per_session": {str(k): v for k, v in build_seconds.items()},
        "files": sizes,
        "restore": _summaries(samples),
        "updates": updates,
    }
