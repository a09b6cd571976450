"""The evaluator's worker hand-off (`WorkerCall`, `run_in_worker`): slots, stops, cancellation.

Real worker threads, real Trio deadlines and a real EvaluationPool; the "evaluations" are
Python functions that poll a token the way the engine's compiled code does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import trio

from stui_trio.tools.evaluation_pool import EvaluationPool
from stui_trio.tools.evaluator import run_in_worker
from stui_trio.tools.session_tools import SessionTools, ToolsConfig, ToolsService
from stui_trio.tools.worker_call import WorkerCall, run_on_pool


class Token:
    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.reasons: list[str] = []

    def interrupt(self, reason: str) -> None:
        self.reasons.append(reason)
        self.stopped.set()


def polling(token: Token) -> str:
    while not token.stopped.wait(0.001):
        pass
    return f"stopped: {token.reasons[0]}"


def make(threads: int = 4, grace: float = 0.1,
         image: object = None) -> tuple[ToolsService, SessionTools]:
    service = ToolsService(image=image, config=ToolsConfig(evaluation_threads=threads,
                                                          interrupt_grace=grace))
    return service, SessionTools("s-1", workspace=None, config=service.config)


async def until(check: Callable[[], bool], limit: float = 3.0) -> None:
    with trio.fail_after(limit):
        while not check():
            await trio.sleep(0.005)


async def test_the_function_runs_on_another_thread_and_its_value_comes_back() -> None:
    service, tools = make()
    seen: list[int] = []

    def work(_token: Token) -> str:
        seen.append(threading.get_ident())
        return "done"

    for _ in range(3):
        assert await run_in_worker(service, tools, work, 5.0, token=Token()) == ("done", None)
    assert threading.get_ident() not in seen
    assert service.pool.running == 0 and tools.running is None


async def test_an_exception_in_the_worker_reaches_the_caller_and_frees_everything() -> None:
    service, tools = make()

    def broken(_token: Token) -> str:
        raise ValueError("engine bug")

    with pytest.raises(ValueError, match="engine bug"):
        await run_in_worker(service, tools, broken, 5.0, token=Token())
    assert service.pool.running == 0 and tools.running is None


async def test_an_abandoned_thread_keeps_its_slot_until_it_really_ends() -> None:
    service, tools = make(threads=1)
    release = threading.Event()
    token = Token()

    def deaf(_token: Token) -> str:
        release.wait(5)
        return "late"

    outcome, reason = await run_in_worker(service, tools, deaf, 0.05, token=token)
    assert outcome is None and reason == "timeout" and token.reasons == ["timeout"]
    assert service.pool.running == 1  # the thread still runs
    release.set()
    await until(lambda: service.pool.running == 0)


async def test_a_timeout_while_waiting_for_a_slot_never_runs_the_function() -> None:
    service, first = make(threads=1)
    second = SessionTools("s-2", workspace=None, config=service.config)
    release = threading.Event()
    ran: list[str] = []

    def hog(_token: Token) -> str:
        release.wait(5)
        return "hog"

    def never(_token: Token) -> str:
        ran.append("never")
        return "ran"

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_in_worker, service, first, hog, 10.0, Token())
        await until(lambda: service.pool.running == 1)
        token = Token()
        started = time.perf_counter()
        outcome, reason = await run_in_worker(service, second, never, 0.1, token=token)
        elapsed = time.perf_counter() - started
        release.set()
    assert outcome is None and reason == "timeout" and token.reasons == ["timeout"]
    assert 0.1 <= elapsed < 0.6  # the timeout, then the grace, then given up
    assert ran == [] and service.pool.running == 0


async def test_a_slot_freed_during_the_grace_runs_the_function_with_its_token_set() -> None:
    service, first = make(threads=1, grace=1.0)
    second = SessionTools("s-2", workspace=None, config=service.config)
    release = threading.Event()

    def hog(_token: Token) -> str:
        release.wait(5)
        return "hog"

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_in_worker, service, first, hog, 10.0, Token())
        await until(lambda: service.pool.running == 1)

        async def free_soon() -> None:
            await trio.sleep(0.2)  # after the second one's timeout, within its grace
            release.set()

        nursery.start_soon(free_soon)
        outcome, reason = await run_in_worker(service, second, polling, 0.1, token=Token())
    assert outcome == "stopped: timeout" and reason == "timeout"


async def test_shutdown_cancellation_interrupts_the_worker_as_cancelled() -> None:
    service, tools = make()
    token = Token()
    with trio.move_on_after(0.1) as outer:
        await run_in_worker(service, tools, polling, 10.0, token=token)
    assert outer.cancelled_caught
    assert token.reasons == ["cancelled"] and tools.running is None
    await until(lambda: service.pool.running == 0)  # the thread saw the token


async def test_an_interrupt_after_the_timeout_keeps_the_timeout_as_the_reason() -> None:
    service, tools = make(grace=0.5)

    def slow_to_stop(token: Token) -> str:
        token.stopped.wait(5)
        time.sleep(0.2)  # notices, but takes a while to wind down
        return "stopped"

    async with trio.open_nursery() as nursery:

        async def interrupter() -> None:
            await trio.sleep(0.15)  # after the 0.1 s timeout, within the grace
            assert tools.stop("interrupted", service.config.interrupt_grace)

        nursery.start_soon(interrupter)
        outcome, reason = await run_in_worker(service, tools, slow_to_stop, 0.1, token=Token())
    assert outcome == "stopped" and reason == "timeout"


async def test_a_worker_call_can_be_awaited_again_after_a_cancelled_wait() -> None:
    pool = EvaluationPool(1)
    gate = threading.Event()
    call = WorkerCall(lambda x: (gate.wait(5), x * 2)[1], 21, pool=pool)
    assert not call.started and call.result() is None
    with trio.move_on_after(0.05):
        await call.wait()
    assert call.started and not call.finished and pool.running == 1
    assert call.result() is None  # not finished: nothing yet
    gate.set()
    await call.wait()
    assert call.finished and call.result() == 42 and call.result() == 42
    assert pool.running == 0


async def test_a_worker_call_cancelled_before_it_is_queued_never_runs_until_awaited() -> None:
    pool = EvaluationPool(1)
    ran: list[int] = []
    call = WorkerCall(ran.append, 1, pool=pool)
    with trio.CancelScope() as scope:
        scope.cancel()
        await call.wait()
    assert not call.started and ran == [] and pool.running == 0 and pool.queued == 0
    await call.wait()  # a later wait starts it
    assert ran == [1] and pool.running == 0


async def test_an_abandoned_call_that_no_worker_took_never_runs() -> None:
    pool = EvaluationPool(1)
    gate = threading.Event()
    ran: list[int] = []
    hog = WorkerCall(gate.wait, 5, pool=pool)
    blocked = WorkerCall(ran.append, 2, pool=pool)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(hog.wait)
        await until(lambda: pool.running == 1)
        with trio.move_on_after(0.05):
            await blocked.wait()  # queued behind the hog
        assert blocked.started and pool.queued == 1
        assert blocked.abandon() and pool.queued == 0
        gate.set()
    assert hog.finished and ran == [] and not blocked.abandon()


async def test_run_on_pool_returns_the_value_and_raises_the_error() -> None:
    pool = EvaluationPool(2)
    assert await run_on_pool(pool, pow, 2, 10) == 1024
    with pytest.raises(ZeroDivisionError):
        await run_on_pool(pool, divmod, 1, 0)
    assert pool.running == 0


async def test_the_pool_runs_at_most_its_size_at_once_in_arrival_order() -> None:
    pool = EvaluationPool(3)
    lock = threading.Lock()
    now = peak = 0
    order: list[int] = []

    def job(i: int) -> int:
        nonlocal now, peak
        with lock:
            now += 1
            peak = max(peak, now)
            order.append(i)
        time.sleep(0.01)
        with lock:
            now -= 1
        return i

    results: list[int] = []

    async def one(i: int) -> None:
        results.append(await run_on_pool(pool, job, i))

    async with trio.open_nursery() as nursery:
        for i in range(30):
            nursery.start_soon(one, i)
            await trio.lowlevel.checkpoint()  # queued in this order
    assert sorted(results) == list(range(30)) and peak == 3
    # first come, first served: a job never starts before one queued two places earlier
    assert all(order.index(i) < order.index(i + 3) for i in range(27))


async def test_idle_workers_end_and_new_ones_start_when_work_comes() -> None:
    pool = EvaluationPool(2, idle_seconds=0.05)
    assert await run_on_pool(pool, threading.get_ident) != threading.get_ident()
    await until(lambda: pool.workers == 0)
    assert await run_on_pool(pool, abs, -3) == 3
    assert pool.workers == 1


def test_a_pool_needs_a_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        EvaluationPool(0)


async def test_results_that_finish_while_the_event_loop_is_busy_all_arrive() -> None:
    # Workers hand results back in batches (one wake-up of the run per batch): block the
    # Trio thread while twenty calls finish, then every caller still gets its own value.
    pool = EvaluationPool(4)
    calls = [WorkerCall(lambda i=i: i * i, pool=pool) for i in range(20)]
    results: dict[int, int] = {}

    async def wait_for(i: int) -> None:
        await calls[i].wait()
        results[i] = calls[i].result()

    async with trio.open_nursery() as nursery:
        for i in range(20):
            nursery.start_soon(wait_for, i)
        while not all(call.started for call in calls):
            await trio.lowlevel.checkpoint()  # every call queued
        time.sleep(0.2)  # the event loop is busy; the workers finish meanwhile
    assert results == {i: i * i for i in range(20)} and pool.running == 0


async def test_after_a_long_job_a_worker_waits_for_the_event_loop_short_ones_chain() -> None:
    # A job longer than a GIL switch interval kept the event loop from the GIL; its worker
    # takes the next job only once the loop has taken the result (or TURN_TIMEOUT passed).
    # Short jobs go back to back. The Trio thread is kept busy while both run.
    def spin(seconds: float, starts: list[float]) -> None:
        starts.append(time.perf_counter())
        until_ = time.perf_counter() + seconds
        while time.perf_counter() < until_:
            pass

    for seconds, waits in ((0.005, True), (0.0, False)):
        pool = EvaluationPool(1)
        starts: list[float] = []
        first = WorkerCall(spin, seconds, starts, pool=pool)
        second = WorkerCall(spin, seconds, starts, pool=pool)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(first.wait)
            nursery.start_soon(second.wait)
            while not (first.started and second.started):
                await trio.lowlevel.checkpoint()  # both queued
            time.sleep(0.05)  # the loop is busy (less than TURN_TIMEOUT)
            loop_free = time.perf_counter()
        assert len(starts) == 2
        assert (starts[1] >= loop_free) is waits


async def test_system_info_counts_running_and_queued_evaluations() -> None:
    from stui_trio.smalltalk import Image

    service, first = make(threads=1, image=Image.boot())
    second = SessionTools("s-2", workspace=None, config=service.config)
    gate = threading.Event()

    def held(_token: Token) -> str:
        gate.wait(5)
        return "done"

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_in_worker, service, first, held, 5.0, Token())
        nursery.start_soon(run_in_worker, service, second, held, 5.0, Token())
        await until(lambda: service.pool.running == 1 and service.pool.queued == 1)
        info = service.system_info()
        assert (info["evaluations_running"], info["evaluations_queued"]) == (1, 1)
        gate.set()
    info = service.system_info()
    assert (info["evaluations_running"], info["evaluations_queued"]) == (0, 0)
