"""The pieces every scenario uses: bounds for a step, pacing, and the latency recorder.

Two load shapes (issue 7): *saturation* — each client sends its next request as soon as the
last reply arrived — and *paced* — each client sends on a schedule of random (exponential)
gaps averaging ``1/rate`` seconds, a person's pace. In the paced shape a latency is counted
from the *scheduled* send time, so a slow reply that delays the next request shows up in that
request's latency too (no "coordinated omission").
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

import attrs

from stui_trio.client import Client, StuiError


@attrs.frozen
class Limits:
    """A step stops at ``iterations`` loops or ``seconds`` of wall time, whichever is first."""

    iterations: int
    seconds: float
    started: float = attrs.field(factory=time.monotonic)

    def done(self, iterations_so_far: int) -> bool:
        return (iterations_so_far >= self.iterations
                or time.monotonic() - self.started >= self.seconds)


class Pacer:
    """An open-loop schedule: Poisson arrivals at ``rate`` requests per second."""

    def __init__(self, rate: float, seed: int) -> None:
        self._gap = 1.0 / rate
        self._random = random.Random(seed)
        self._next = time.perf_counter_ns() + self._draw()

    def _draw(self) -> int:
        return int(self._random.expovariate(1.0) * self._gap * 1e9)

    def wait_turn(self) -> int:
        """Sleep until the next scheduled send; return its time (perf_counter ns)."""
        scheduled = self._next
        self._next += self._draw()
        delay = (scheduled - time.perf_counter_ns()) / 1e9
        if delay > 0:
            time.sleep(delay)
        return scheduled


class Recorder:
    """Times requests; keeps latencies (µs) and error counts per command."""

    def __init__(self, pacer: Pacer | None = None) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_types: dict[str, int] = defaultdict(int)
        self._pacer = pacer

    def __call__(
        self, command: str, call: Callable[..., dict[str, Any]], *args: Any
    ) -> dict[str, Any]:
        start = self._pacer.wait_turn() if self._pacer else time.perf_counter_ns()
        try:
            result = call(*args)
        except StuiError as exc:
            self.errors[command] += 1
            self.error_types[exc.error_type] += 1
            return {}
        self.samples[command].append((time.perf_counter_ns() - start) / 1000)
        return result


class Scenario(Protocol):
    def __call__(self, client: Client, limits: Limits, record: Recorder) -> None: ...
