"""The evaluation stop machinery: real worker threads, real Trio deadlines, a real token.

The engine's interrupt token is anything with `interrupt(reason)` that the running code polls;
here the "evaluation" is a Python loop polling a threading.Event-based token, exactly as the
engine's compiled code polls its token.
"""

import statistics
import threading
import time

import trio

from stui_trio.protocol.errors import EvaluationError, Interrupted, SyntaxError_, Timeout
from stui_trio.smalltalk import EvalOutcome, Frame
from stui_trio.tools.evaluator import _error_for, run_in_worker
from stui_trio.tools.session_tools import SessionTools, ToolsConfig, ToolsService


class Token:
    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.reason: str | None = None

    def interrupt(self, reason: str) -> None:
        self.reason = reason
        self.stopped.set()


def runaway(token: Token) -> str:
    """Busy CPU loop (holds the GIL between polls) until interrupted."""
    n = 0
    while not token.stopped.is_set():
        for _ in range(1000):
            n += 1
    return f"stopped: {token.reason}"


def make() -> tuple[ToolsService, SessionTools]:
    service = ToolsService(image=None, config=ToolsConfig(interrupt_grace=0.1))
    return service, SessionTools("s-1", workspace=None, config=service.config)


async def test_timeout_interrupts_the_worker_and_reply_comes_promptly() -> None:
    service, tools = make()
    started = time.perf_counter()
    outcome, reason = await run_in_worker(service, tools, runaway, 0.2, token=Token())
    elapsed = time.perf_counter() - started
    assert reason == "timeout" and outcome == "stopped: timeout"
    assert 0.2 <= elapsed < 0.3
    assert tools.running is None


async def test_interrupt_from_another_task_while_the_loop_stays_responsive() -> None:
    service, tools = make()
    lags: list[float] = []
    async with trio.open_nursery() as nursery:

        async def probe() -> None:
            while True:
                before = time.perf_counter()
                await trio.sleep(0.01)
                lags.append(time.perf_counter() - before - 0.01)

        async def interrupter() -> None:
            await trio.sleep(0.3)
            assert tools.stop("interrupted", service.config.interrupt_grace)

        nursery.start_soon(probe)
        nursery.start_soon(interrupter)
        started = time.perf_counter()
        outcome, reason = await run_in_worker(service, tools, runaway, 10.0, token=Token())
        elapsed = time.perf_counter() - started
        nursery.cancel_scope.cancel()
    assert reason == "interrupted" and outcome == "stopped: interrupted"
    assert elapsed < 0.8  # asked at 0.3 s; loose for a loaded machine
    assert len(lags) >= 5 and statistics.median(lags) < 0.05
    assert not tools.stop("interrupted", 0.1)  # nothing running any more


async def test_a_worker_that_ignores_its_token_is_abandoned_after_the_grace() -> None:
    service, tools = make()
    release = threading.Event()

    def deaf(_token: Token) -> str:
        release.wait(5)
        return "late"

    started = time.perf_counter()
    outcome, reason = await run_in_worker(service, tools, deaf, 0.1, token=Token())
    elapsed = time.perf_counter() - started
    release.set()  # let the abandoned thread end
    assert outcome is None and reason == "timeout"
    assert elapsed < 0.4


async def test_evaluations_wait_for_a_thread_slot() -> None:
    service = ToolsService(image=None, config=ToolsConfig(evaluation_threads=1))
    first = SessionTools("a", None, service.config)
    second = SessionTools("b", None, service.config)
    finished: list[str] = []

    def quick(_token: Token) -> str:
        time.sleep(0.05)
        return "ok"

    async def run(tools: SessionTools) -> None:
        out, _ = await run_in_worker(service, tools, quick, 5.0, token=Token())
        finished.append(f"{tools.session_id}:{out}")

    started = time.perf_counter()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run, first)
        nursery.start_soon(run, second)
    assert sorted(finished) == ["a:ok", "b:ok"]
    assert time.perf_counter() - started >= 0.1  # one at a time through the limiter


def test_outcomes_become_protocol_errors_with_details() -> None:
    syntax = _error_for(EvalOutcome("syntax", line=2, column=5, expected="']'",
                                   message_text="unclosed block"), None, 1.0, 3.0)
    assert isinstance(syntax, SyntaxError_)
    assert syntax.details == {"line": 2, "column": 5, "expected": "']'",
                              "message_text": "unclosed block"}
    stack = (Frame("SmallInteger", "/", 1), Frame("UndefinedObject", "DoIt", 1))
    failed = EvalOutcome("error", error_class="ZeroDivide", message_text="division by zero",
                        stack=stack)
    error = _error_for(failed, None, 1.0, 3.0)
    assert isinstance(error, EvaluationError) and error.details is not None
    assert error.details["error_class"] == "ZeroDivide"
    assert error.details["stack"][0] == {"class_name": "SmallInteger", "selector": "/", "line": 1}
    assert isinstance(_error_for(EvalOutcome("interrupted"), "timeout", 0.5, 510.0), Timeout)
    assert isinstance(_error_for(EvalOutcome("interrupted"), "interrupted", 0.5, 10.0), Interrupted)
