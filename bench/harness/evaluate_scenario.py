"""Issue 5's evaluate scenario: how long a doit takes over the wire, and what it does to pings.

    calibrate: a loop doit sized so the engine runs it in ~10 ms (measured, then printed)
    baseline:  one idle client pinging (paced) against a quiet server
    for N in 1, 5, 50 (a fresh server each):
        trivial: N clients evaluating `3 + 4` back to back              -> p50/p99
        10 ms:   N clients evaluating the ~10 ms doit back to back       -> p50/p99
                 + one more client that only pings (paced, ``idle_ping``) -> p50/p99 and the
                   ratio to the quiet baseline

The load shape is saturation (closed loop: each client sends its next doit as soon as the
reply arrives), the shape the issue-5 targets are judged on. Every step runs through the same
load-generator processes as the ladder (:func:`bench.harness.runner.run_step`), so a latency
here means the same thing as there. No echo baseline: the transport floor is the ladder's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import attrs

from bench.harness.loadgen import StepConfig
from bench.harness.runner import StepResult, run_step
from bench.harness.servers import stui_server
from bench.scenarios.base import Mix
from bench.scenarios.sessions import CLIENT_INFO
from bench.scenarios.tools import EVALUATE, EVALUATE_10MS, TRIVIAL_CODE, loop_code
from stui_trio.client import Client, ClientOptions, SocketKind


@attrs.frozen
class EvaluateSettings:
    clients: tuple[int, ...] = (1, 5, 50)
    seconds: float = 4.0            # each step's load phase
    idle_ping_rate: float = 50.0    # the idle client's pings per second (paced, Poisson)
    doit_ms: float = 10.0           # what the calibrated doit should take in the engine
    max_ops: int = 100_000


FULL = EvaluateSettings()
QUICK = EvaluateSettings(clients=(1, 3), seconds=1.0)


@attrs.frozen
class Run:
    """How the steps run (the CLI's options)."""

    processes: int
    kind: SocketKind = SocketKind.REQ
    request_timeout: float = 10.0
    seed: int = 7


def calibrate(endpoint: str, doit_ms: float, *, repeats: int = 7) -> dict[str, Any]:
    """Size the loop doit so the engine takes ~``doit_ms``: after a warm-up, scale from a
    first guess three times (median of 5 each); then measure it ``repeats`` times (engine
    time as the server reports it, and round trip; medians)."""
    options = ClientOptions(endpoint=endpoint, client_id="bench-calibrate", timeout=30,
                            retries=0)
    with Client(options=options) as client:
        client.create_session(CLIENT_INFO)

        def measure(n: int, times: int) -> tuple[float, float]:
            engine, wall = [], []
            for _ in range(times):
                t0 = time.perf_counter()
                reply = client.evaluate(loop_code(n))
                wall.append((time.perf_counter() - t0) * 1000)
                engine.append(float(reply.get("execution_time_ms") or wall[-1]))
            return statistics.median(engine), statistics.median(wall)

        measure(10_000, 2)  # warm-up (first compile, caches): not counted
        n = 10_000
        for _ in range(3):
            engine_ms, _ = measure(n, 5)
            n = max(100, round(n * doit_ms / max(engine_ms, 0.01)))
        engine_ms, wall_ms = measure(n, repeats)
        client.close_session()
    return {"n": n, "code": loop_code(n), "engine_ms": round(engine_ms, 2),
            "round_trip_ms": round(wall_ms, 2), "repeats": repeats, "target_ms": doit_ms}


def _summary(step: StepResult, label: str) -> dict[str, Any]:
    s = step.commands.get(label)
    row: dict[str, Any] = {"count": 0, "p50_us": None, "p90_us": None, "p99_us": None,
                           "max_us": None}
    if s is not None and s.count:
        row = {"count": s.count, "p50_us": round(s.p50_us, 1), "p90_us": round(s.p90_us, 1),
               "p99_us": round(s.p99_us, 1), "max_us": round(s.max_us, 1)}
    return {**row, "errors": step.errors.get(label, 0)}


def _step_facts(step: StepResult) -> dict[str, Any]:
    return {"wall_seconds": round(step.wall_seconds, 2),
            "setup_errors": step.setup_errors, "error_types": step.error_types,
            "error_examples": step.error_examples, "workers_failed": step.workers_failed}


def _ratio(ours: float | None, base: float | None) -> float | None:
    return round(ours / base, 2) if ours and base else None


def run(settings: EvaluateSettings, how: Run,
        on_phase: Callable[[str], None] = lambda _p: None) -> dict[str, Any]:
    """Calibrate, then the steps above; a JSON-able dict for the report."""
    top = max(settings.clients) + 1

    def step(endpoint: str, pid: int | None, label: str, clients: int, mix: Mix,
             op_args: tuple[tuple[str, str], ...] = (), idle_ping_rate: float = 0.0,
             ) -> StepResult:
        on_phase(f"evaluate: {label}")
        config = StepConfig(
            target="stui_trio", endpoint=endpoint, clients=clients, shape="saturation", mix=mix,
            seconds=settings.seconds, max_ops=settings.max_ops, kind=how.kind,
            request_timeout=how.request_timeout, seed=how.seed, idle_ping_rate=idle_ping_rate,
            op_args=op_args)
        return run_step(config, server_pid=pid, sessions_dir=None, rss_base_kib=None,
                        processes=how.processes)

    trivial_mix, heavy_mix = Mix((EVALUATE,), (1.0,)), Mix((EVALUATE_10MS,), (1.0,))
    with stui_server(max_clients=top) as server:
        on_phase("evaluate: calibrating the ~10 ms doit")
        calibration = calibrate(server.endpoint, settings.doit_ms)
        quiet = step(server.endpoint, server.pid, "idle ping, no load", 1, trivial_mix,
                     idle_ping_rate=settings.idle_ping_rate)
    baseline = _summary(quiet, "idle_ping")
    rows: list[dict[str, Any]] = []
    pings: list[dict[str, Any]] = []
    op_args = (("evaluate_10ms", calibration["code"]),)
    for n in settings.clients:
        with stui_server(max_clients=top) as server:
            trivial = step(server.endpoint, server.pid, f"N={n} trivial", n, trivial_mix)
            heavy = step(server.endpoint, server.pid, f"N={n} 10 ms + idle ping", n + 1,
                         heavy_mix, op_args, settings.idle_ping_rate)
        for doit, result, label in (("trivial", trivial, "evaluate"),
                                    ("10ms", heavy, "evaluate_10ms")):
            rows.append({"clients": n, "doit": doit, **_summary(result, label),
                         "throughput_rps": round(result.commands[label].count
                                                 / result.wall_seconds, 1)
                         if label in result.commands and result.wall_seconds else None,
                         **_step_facts(result)})
        ping = _summary(heavy, "idle_ping")
        pings.append({"busy_clients": n, **ping,
                      "ratio_p50": _ratio(ping["p50_us"], baseline["p50_us"]),
                      "ratio_p99": _ratio(ping["p99_us"], baseline["p99_us"])})
    return {
        "settings": {**attrs.asdict(settings), "shape": "saturation",
                     "trivial_code": TRIVIAL_CODE},
        "calibration": calibration,
        "rows": rows,
        "idle_ping": {"rate_per_second": settings.idle_ping_rate, "baseline": baseline,
                      "baseline_facts": _step_facts(quiet), "under_load": pings},
    }
