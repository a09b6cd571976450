"""One call of a blocking function on a worker thread, awaited from Trio: the evaluator's hand-off.

`trio.to_thread.run_sync` does this too, but the evaluator needs something it cannot give:
waiting that can be *interrupted and resumed*. An evaluation waits until its timeout, then
asks the engine to stop and waits a little more (the grace), and only then abandons the thread.
With `to_thread.run_sync` that took a nursery and a watchdog task per call; a `WorkerCall` is
started once and `wait()`ed as often as needed, each wait under its own cancel scope, so the
timeout is a plain cancel-scope deadline.

    call = WorkerCall(fn, token, pool=pool)
    with trio.move_on_at(deadline):
        await call.wait()           # queues it on the pool, waits
    if not call.finished:
        token.interrupt("timeout")
        await call.wait()           # resumes waiting for the same call
    if not call.finished:
        call.abandon()              # never runs if no worker took it yet
    value = call.result()           # fn's value, or its exception raised here

The call runs on one of the `EvaluationPool`'s workers (``evaluation_pool.py``); the result
comes back through the run's `TrioToken`. Cancelling a `wait()` never stops a running call:
the caller stops it (an interrupt token).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import trio

from stui_trio.tools.evaluation_pool import EvaluationPool


class WorkerCall:
    """`fn(*args)` on a worker thread, awaitable (and re-awaitable) from one Trio run."""

    __slots__ = ("_args", "_context", "_done", "_error", "_finished", "_fn", "_pool", "_started",
                 "_value", "trio_token")

    def __init__(self, fn: Callable[..., Any], *args: Any, pool: EvaluationPool) -> None:
        self._fn = fn
        self._args = args
        self._pool = pool
        self._started = False
        self._finished = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._done = trio.Event()
        self.trio_token: trio.lowlevel.TrioToken | None = None
        self._context: contextvars.Context | None = None

    @property
    def started(self) -> bool:
        """The call was queued on the pool (it runs, or will unless abandoned first)."""
        return self._started

    @property
    def finished(self) -> bool:
        """The function returned or raised, and the result reached the Trio thread."""
        return self._finished

    async def wait(self) -> None:
        """Queue the call if not yet queued, then wait until it has finished.

        Cancellable at any point: cancelled before it was queued, nothing runs; after, the
        call runs on (or waits for a worker) and a later `wait()` picks up where this one
        stopped."""
        if not self._started:
            await trio.lowlevel.checkpoint_if_cancelled()  # cancelled already: never queue
            self._start()
        await self._done.wait()

    def abandon(self) -> bool:
        """Nobody will wait for this call any more: if no worker has taken it yet, it never
        runs (True). A running call runs on; its caller stops it with its token."""
        return self._started and not self._finished and self._pool.withdraw(self)

    def result(self) -> Any:
        """What the function returned (raises what it raised); None if it has not finished."""
        if not self._finished:
            return None
        if self._error is not None:
            raise self._error
        return self._value

    def _start(self) -> None:
        self.trio_token = trio.lowlevel.current_trio_token()
        self._context = contextvars.copy_context()
        self._pool.submit(self)
        self._started = True

    # -- the pool's side (a worker thread) -----------------------------------------------

    def execute(self) -> None:
        assert self._context is not None
        try:
            self._value = self._context.run(self._fn, *self._args)
        except BaseException as exc:  # kept for result() to raise in the waiting task
            self._error = exc

    def finish(self) -> None:
        # in the Trio thread: _value/_error were set before the hand-over, which orders them
        self._finished = True
        self._done.set()


async def run_on_pool(pool: EvaluationPool, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` on one of `pool`'s workers: its value (or exception). Cancelled while
    queued, it never runs; while running, it runs on (for work with no token to stop it)."""
    call = WorkerCall(fn, *args, pool=pool)
    try:
        await call.wait()
    finally:
        if not call.finished:
            call.abandon()
    return call.result()
