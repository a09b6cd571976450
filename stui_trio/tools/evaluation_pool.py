"""The evaluation threads: a fixed number of workers fed from one queue.

Why not a `trio.CapacityLimiter` around `trio.to_thread`-style calls (what the evaluator used
before): a limiter slot is given back in the Trio thread, when the result has travelled
back through the event loop, and only then may the next evaluation start. Under load every
evaluation then costs a trip through a busy scheduler before the next one can begin; with
1,000 clients the slots spent most of their time waiting to be handed back, and evaluations
of `3 + 4` (40 µs of work) queued for 100 ms. Here a worker that finishes a job takes the
next queued one at once, in its own thread; results travel back to Trio on their own.

    pool = EvaluationPool(size=4)
    call = WorkerCall(fn, token, pool=pool)   # worker_call.py: what the evaluator awaits

Workers are threads from Trio's thread cache (`trio.lowlevel.start_thread_soon`, what
`trio.to_thread` uses), started when jobs wait and no worker is free, at most `size` of them;
a worker with nothing to do for `idle_seconds` ends. A worker stuck in an abandoned
evaluation (one that ignores its interrupt token) keeps counting until it really ends, as a
limiter slot did: `size` bounds the threads that run user code, whatever their callers do.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import trio

if TYPE_CHECKING:
    from outcome import Outcome

log = logging.getLogger(__name__)

#: How long an idle worker waits for a job before its thread goes back to Trio's cache.
IDLE_SECONDS = 10.0
#: A job that ran at least this long (a GIL switch interval) was CPU-bound enough to keep the
#: event loop from the GIL: its worker waits for the loop to take the result before it takes
#: another job. Without that turn, four workers chaining 10 ms doits left the loop a fifth
#: of the GIL, and an idle client's ping went from 9 to 76 ms (p50, 50 busy clients).
LONG_JOB_SECONDS = 0.001
#: The longest a worker waits for that turn (a run that stopped never gives it).
TURN_TIMEOUT = 0.1


class Job(Protocol):
    """What the pool runs: `execute()` in a worker thread, then `finish()` in the Trio thread
    of `trio_token`'s run, once the worker no longer counts as running it (so whoever gets
    the result sees the pool's count already down). Neither may raise."""

    trio_token: trio.lowlevel.TrioToken | None

    def execute(self) -> None: ...

    def finish(self) -> None: ...


class EvaluationPool:
    """At most `size` worker threads running queued jobs, first come first served."""

    def __init__(self, size: int, *, idle_seconds: float = IDLE_SECONDS) -> None:
        if size < 1:
            raise ValueError(f"an evaluation pool needs at least one thread (got {size})")
        self.size = size
        self._idle_seconds = idle_seconds
        self._lock = threading.Condition()
        self._jobs: collections.deque[Job] = collections.deque()
        self._workers = 0
        self._running = 0
        #: Callbacks finished jobs left for their Trio runs; a run with an entry here has
        #: been woken for it already (see ``call_soon_in_trio``).
        self._results: dict[trio.lowlevel.TrioToken, list[Callable[[], None]]] = {}

    @property
    def running(self) -> int:
        """Jobs running in a worker right now (abandoned ones too, until they return)."""
        return self._running

    @property
    def workers(self) -> int:
        """Worker threads alive (running a job or waiting for one)."""
        return self._workers

    @property
    def queued(self) -> int:
        """Jobs waiting for a worker."""
        return len(self._jobs)

    def submit(self, job: Job) -> None:
        """Queue `job`; a free worker takes it, or a new one starts if fewer than `size`."""
        with self._lock:
            self._jobs.append(job)
            free = self._workers - self._running  # alive, and waiting for (or taking) a job
            start = len(self._jobs) > free and self._workers < self.size
            if start:
                self._workers += 1
            self._lock.notify()
        if start:
            try:
                trio.lowlevel.start_thread_soon(self._work, self._worker_ended)
            except BaseException:
                with self._lock:
                    self._workers -= 1
                raise

    def call_soon_in_trio(self, token: trio.lowlevel.TrioToken, fn: Callable[[], None]) -> None:
        """(any thread) Run ``fn`` in the Trio thread of ``token``'s run, soon; a result
        handed back this way does not wake the run once per job: callbacks left while the
        run has not got round to earlier ones go with them. Waking a run is a system call,
        which hands the GIL to the busy event loop, and the worker then waits a whole switch
        interval to get it back before its next job: per job, that was most of its cost."""
        with self._lock:
            waiting = self._results.get(token)
            if waiting is not None:
                waiting.append(fn)
                return
            self._results[token] = [fn]
        try:
            token.run_sync_soon(self._run_results, token)
        except trio.RunFinishedError:  # the run ended: nobody waits for these any more
            with self._lock:
                self._results.pop(token, None)

    def _run_results(self, token: trio.lowlevel.TrioToken) -> None:
        # In the Trio thread.
        with self._lock:
            callbacks = self._results.pop(token, [])
        for fn in callbacks:
            fn()

    def withdraw(self, job: Job) -> bool:
        """Take `job` off the queue if no worker has taken it yet; True if it was there."""
        with self._lock:
            try:
                self._jobs.remove(job)
            except ValueError:
                return False
            return True

    def _work(self) -> None:
        # In a worker thread: jobs until none comes for idle_seconds.
        while True:
            with self._lock:
                while not self._jobs:
                    if not self._lock.wait(self._idle_seconds) and not self._jobs:
                        self._workers -= 1
                        return
                job = self._jobs.popleft()
                self._running += 1
            started = time.perf_counter()
            try:
                job.execute()
            finally:
                with self._lock:
                    self._running -= 1
            token = job.trio_token
            assert token is not None
            self.call_soon_in_trio(token, job.finish)
            if time.perf_counter() - started >= LONG_JOB_SECONDS:
                turn = threading.Event()
                self.call_soon_in_trio(token, turn.set)
                turn.wait(TURN_TIMEOUT)

    def _worker_ended(self, outcome: Outcome[None]) -> None:
        # In the worker thread, as it goes back to Trio's cache: only a bug gets here raising.
        try:
            outcome.unwrap()
        except BaseException:
            with self._lock:
                self._workers -= 1
            log.exception("evaluation pool worker failed; the pool starts another when needed")
