"""One step of a run: start the load-generator processes, walk them through the phases.

    workers: setup ──ready──▶ parent reads RSS (connected) ──start──▶ load ──done──▶
             parent reads RSS (loaded) and session files ──release──▶ teardown ──closed──▶ exit

The number of processes is bounded (``processes``, default 2 per core) whatever the client
count; each hosts its share of clients (:mod:`bench.harness.loadgen`). Processes come from a
``forkserver`` so they never inherit the parent's threads (rich's refresher) or sockets.
Every wait has a timeout and stragglers are killed: a step always ends.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from bench.harness.loadgen import StepConfig, split, worker_main
from bench.harness.memory import SessionFiles, cpu_seconds, rss_kib
from bench.harness.stats import LatencySummary

DEFAULT_PROCESSES = 2 * (os.cpu_count() or 1)


@attrs.frozen
class StepResult:
    config: StepConfig
    processes: int
    wall_seconds: float
    requests: int
    commands: dict[str, LatencySummary]
    errors: dict[str, int]             # label -> count (load phase)
    error_types: dict[str, int]        # error_type -> count (all phases)
    error_examples: dict[str, str]
    setup_errors: int
    workers_failed: list[str]
    rss_base_kib: int | None           # the server before any client of this rung connected
    rss_connected_kib: int | None      # every client connected, one session each
    rss_loaded_kib: int | None         # right after the load phase
    session_files: SessionFiles | None
    server_cpu_s: float | None = None     # server CPU (user + sys) during the load phase
    generator_cpu_s: float = 0.0          # all load generators' CPU during the load phase

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rss_per_client_kib(self) -> float | None:
        if self.rss_base_kib is None or self.rss_connected_kib is None:
            return None
        return max(0, self.rss_connected_kib - self.rss_base_kib) / self.config.clients


class _Collector:
    """Merges what the workers send, phase by phase."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_types: dict[str, int] = defaultdict(int)
        self.examples: dict[str, str] = {}
        self.setup_errors = 0
        self.failed: list[str] = []
        self.failed_workers: set[int] = set()
        self.started_ns: list[int] = []
        self.finished_ns: list[int] = []
        self.cpu_s = 0.0

    def merge(self, phase: str, data: dict[str, Any]) -> None:
        for key, count in data["error_types"].items():
            self.error_types[key] += count
        self.examples.update({k: v for k, v in data["examples"].items()
                              if k not in self.examples})
        if phase == "ready":
            self.setup_errors += sum(data["errors"].values())
        elif phase == "done":
            for label, values in data["samples"].items():
                self.samples[label].extend(values)
            for label, count in data["errors"].items():
                self.errors[label] += count
            self.cpu_s += data["cpu_s"]
            self.started_ns.append(data["started_ns"])
            self.finished_ns.append(data["finished_ns"])

    def gather(self, out: mp.Queue[Any], phase: str, expected: set[int],
               timeout: float) -> set[int]:
        """Wait for ``phase`` from every worker in ``expected``; return those that answered."""
        answered: set[int] = set()
        deadline = time.monotonic() + timeout
        while answered | self.failed_workers < expected:
            try:
                kind, worker, data = out.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if kind == "failed":
                self.failed.append(f"worker {worker}: {data}")
                self.failed_workers.add(worker)
            elif kind == phase:
                answered.add(worker)
                self.merge(phase, data)
            if time.monotonic() > deadline:
                break
        return answered


def run_step(
    config: StepConfig, *, server_pid: int | None, sessions_dir: Path | None,
    rss_base_kib: int | None, processes: int = DEFAULT_PROCESSES,
    on_phase: Callable[[str], None] = lambda _phase: None,
) -> StepResult:
    ctx = mp.get_context("forkserver")
    slices = split(config.clients, max(1, min(processes, config.clients)))
    out: mp.Queue[Any] = ctx.Queue()
    start, release = ctx.Event(), ctx.Event()
    procs = [ctx.Process(target=worker_main, args=(config, w, s, out, start, release),
                         daemon=True) for w, s in enumerate(slices)]
    collect = _Collector()
    everyone = set(range(len(procs)))
    rss_connected = rss_loaded = None
    cpu_before = cpu_after = None
    files = None
    try:
        on_phase("connecting")
        for proc in procs:
            proc.start()
        ready = collect.gather(out, "ready", everyone, 30 + config.clients * 0.05)
        rss_connected = rss_kib(server_pid)
        on_phase("running")
        cpu_before = cpu_seconds(server_pid)
        start.set()
        collect.gather(out, "done", ready, config.seconds + config.request_timeout + 30)
        cpu_after = cpu_seconds(server_pid)
        rss_loaded = rss_kib(server_pid)
        files = SessionFiles.scan(sessions_dir)
        on_phase("closing")
        release.set()
        collect.gather(out, "closed", ready, config.request_timeout + 30)
    finally:
        start.set()
        release.set()
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
                collect.failed.append(f"{proc.name}: killed after the step's time bound")
        out.close()
    wall = ((max(collect.finished_ns) - min(collect.started_ns)) / 1e9
            if collect.started_ns else 0.0)
    return StepResult(
        config=config, processes=len(procs), wall_seconds=wall,
        requests=sum(len(v) for v in collect.samples.values()),
        commands={k: LatencySummary.of(v) for k, v in sorted(collect.samples.items())},
        errors=dict(collect.errors), error_types=dict(collect.error_types),
        error_examples=collect.examples, setup_errors=collect.setup_errors,
        workers_failed=collect.failed, rss_base_kib=rss_base_kib,
        rss_connected_kib=rss_connected, rss_loaded_kib=rss_loaded, session_files=files,
        server_cpu_s=(cpu_after - cpu_before) if cpu_before is not None and cpu_after is not None
        else None,
        generator_cpu_s=collect.cpu_s,
    )
