"""One call of a blocking function on a worker thread, awaited from Trio: the evaluator's hand-off.

`trio.to_thread.run_sync` does this too, but the evaluator needs something it cannot give:
waiting that can be *interrupted and resumed*. An evaluation waits until its timeout, then
asks the engine to stop and waits a little more (the grace), and only then abandons the thread.
With `to_thread.run_sync` that took a nursery and a watchdog task per call; a `WorkerCall` is
started once and `wait()`ed as often as needed, each wait under its own cancel scope, so the
timeout is a plain cancel-scope deadline. It also skips per-call costs `to_thread` pays for
features the evaluator does not use (renaming the OS thread per job, `trio.from_thread`
plumbing).

    call = WorkerCall(fn, token, limiter=limiter)
    with trio.move_on_at(deadline):
        await call.wait()           # takes a limiter slot, starts the thread, waits
    if not call.finished:
        token.interrupt("timeout")
        await call.wait()           # resumes waiting for the same thread
    value = call.result()           # fn's value, or its exception raised here

Threads come from Trio's thread cache (`trio.lowlevel.start_thread_soon`, what `to_thread`
uses); the result comes back through the run's `TrioToken`. The limiter slot is taken on
behalf of the call and released in the Trio thread when the function really returns, even if
nobody waits any more (an abandoned call), so the limiter always counts live threads.
Cancelling a `wait()` never stops the thread: the caller stops it (an interrupt token).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import trio

if TYPE_CHECKING:
    from outcome import Outcome


class WorkerCall:
    """`fn(*args)` on a worker thread, awaitable (and re-awaitable) from one Trio run."""

    __slots__ = ("_args", "_done", "_error", "_finished", "_fn", "_limiter", "_started", "_token",
                 "_value")

    def __init__(self, fn: Callable[..., Any], *args: Any,
                 limiter: trio.CapacityLimiter) -> None:
        self._fn = fn
        self._args = args
        self._limiter = limiter
        self._started = False
        self._finished = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._done = trio.Event()
        self._token: trio.lowlevel.TrioToken | None = None

    @property
    def started(self) -> bool:
        """The thread was given the call (a limiter slot was taken)."""
        return self._started

    @property
    def finished(self) -> bool:
        """The function returned or raised, and the result reached the Trio thread."""
        return self._finished

    async def wait(self) -> None:
        """Start the call if not yet started, then wait until it has finished.

        Cancellable at any point: before it starts, no slot is held and nothing runs; after,
        the thread runs on and a later `wait()` picks up where this one stopped."""
        if not self._started:
            await trio.lowlevel.checkpoint_if_cancelled()  # cancelled already: never start
            try:
                self._limiter.acquire_on_behalf_of_nowait(self)
            except trio.WouldBlock:
                await self._limiter.acquire_on_behalf_of(self)
            self._start()
        await self._done.wait()

    def result(self) -> Any:
        """What the function returned (raises what it raised); None if it has not finished."""
        if self._error is not None:
            raise self._error
        return self._value

    def _start(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        context = contextvars.copy_context()
        try:
            trio.lowlevel.start_thread_soon(
                lambda: context.run(self._fn, *self._args), self._deliver)
        except BaseException:
            self._limiter.release_on_behalf_of(self)
            raise
        self._started = True

    def _deliver(self, result: Outcome) -> None:
        # in the worker thread; the run may be over if the thread outlived it (abandoned)
        assert self._token is not None
        with contextlib.suppress(trio.RunFinishedError):
            self._token.run_sync_soon(self._finish, result)

    def _finish(self, result: Outcome) -> None:
        # in the Trio thread
        try:
            self._value = result.unwrap()
        except BaseException as exc:  # kept for result() to raise in the waiting task
            self._error = exc
        self._finished = True
        self._limiter.release_on_behalf_of(self)
        self._done.set()
