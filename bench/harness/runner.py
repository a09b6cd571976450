"""One step of a run: N client processes against one endpoint, started together.

Workers are forked (cheap on Linux: 50 start in well under a second, sharing the imported
client library). The parent holds no ZeroMQ context while forking; each worker creates its
own. A worker connects, pings until the target answers (warm-up, not measured), waits at a
barrier so all N start at once, runs the scenario within its limits, and sends back its
latency samples and error counts through a queue.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import threading
import time
from collections import defaultdict
from typing import Any

import attrs

from bench.harness.stats import LatencySummary
from bench.scenarios import SCENARIOS, Limits, Pacer, Recorder
from stui_trio.client import Client, ClientOptions, SocketKind

_BARRIER_TIMEOUT = 60.0


@attrs.frozen
class StepConfig:
    target: str          # "stui_trio" or "echo"
    endpoint: str
    clients: int
    scenario: str = "sessions"
    kind: SocketKind = SocketKind.REQ
    iterations: int = 200
    seconds: float = 3.0
    request_timeout: float = 10.0
    rate: float | None = None  # per client, requests/s: paced; None: saturation


@attrs.frozen
class StepResult:
    config: StepConfig
    wall_seconds: float
    requests: int
    errors: dict[str, int]
    error_types: dict[str, int]
    commands: dict[str, LatencySummary]
    workers_failed: int
    server_rss_kib: int | None = None

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds > 0 else 0.0


def _worker(
    config: StepConfig, index: int, barrier: threading.Barrier, results: mp.Queue[Any]
) -> None:
    options = ClientOptions(
        endpoint=config.endpoint, client_id=f"bench-{config.target}-{index}",
        kind=config.kind, timeout=config.request_timeout, retries=0,
    )
    record = Recorder(Pacer(config.rate, seed=index) if config.rate else None)
    try:
        with Client(options=options) as client:
            client.ping()  # warm-up: connected, and the server knows this client
            barrier.wait(_BARRIER_TIMEOUT)
            limits = Limits(iterations=config.iterations, seconds=config.seconds)
            SCENARIOS[config.scenario](client, limits, record)
        results.put((index, dict(record.samples), dict(record.errors), dict(record.error_types)))
    except BaseException as exc:  # a dead worker must still report, or the parent waits
        barrier.abort()  # if it died before the start line, nobody waits for it there
        results.put((index, None, {"worker": 1}, {f"{type(exc).__name__}: {exc}": 1}))


def run_step(config: StepConfig) -> StepResult:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(config.clients + 1)
    results: mp.Queue[Any] = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(config, i, barrier, results), daemon=True)
        for i in range(config.clients)
    ]
    for proc in procs:
        proc.start()
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    error_types: dict[str, int] = defaultdict(int)
    reports = failed = 0
    started = finished = time.monotonic()
    try:
        # A broken barrier means a worker failed to start; it reported why, collected below.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(_BARRIER_TIMEOUT)
        started = finished = time.monotonic()
        wait_until = started + config.seconds + config.request_timeout + 30
        for _ in procs:
            try:
                _, got, errs, types = results.get(timeout=max(0.1, wait_until - time.monotonic()))
            except queue.Empty:
                break
            finished = time.monotonic()
            reports += 1
            failed += got is None
            for command, values in (got or {}).items():
                samples[command].extend(values)
            for key, count in errs.items():
                errors[key] += count
            for key, count in types.items():
                error_types[key] += count
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        results.close()
    return StepResult(
        config=config,
        wall_seconds=finished - started,
        requests=sum(len(v) for v in samples.values()),
        errors=dict(errors),
        error_types=dict(error_types),
        commands={c: LatencySummary.of(v) for c, v in samples.items()},
        workers_failed=failed + len(procs) - reports,
    )
