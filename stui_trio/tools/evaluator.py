"""Workspace evaluation: run a doit in a worker thread, time-limited and interruptible.

`run_evaluation` is the heart of the `evaluate` command. The flow:

1. Take the session's lock: one evaluation at a time per session.
2. Make an interrupt token, and remember it as the session's running evaluation, so that an
   `interrupt` request (answered inline, not queued behind us) can reach it.
3. Run the engine in a worker thread (a `WorkerCall` on the service's `EvaluationPool`), so
   the event loop keeps serving every other client.
4. At the deadline a cancel scope ends the first wait and the token is interrupted; the engine
   polls it and stops within milliseconds, answering "interrupted". Should the worker not
   notice within `interrupt_grace`, an outer cancel scope stops *waiting* for it (the thread is
   abandoned and still sees the token), so the reply always comes shortly after the deadline.
5. Turn the outcome into a result mapping or a protocol error, and record it in the session's
   history and Transcript.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

import trio

from stui_trio.protocol.errors import (
    EvaluationError,
    Interrupted,
    InvalidRequest,
    SyntaxError_,
    Timeout,
)
from stui_trio.smalltalk import EvalOutcome, InterruptToken
from stui_trio.tools import engine_port
from stui_trio.tools.inspector import clip, inspect_object
from stui_trio.tools.session_tools import RunningEvaluation, SessionTools, ToolsService
from stui_trio.tools.worker_call import WorkerCall

log = logging.getLogger(__name__)

MODES = ("print", "do", "display", "inspect")
MAX_RESULT_CHARS = 100_000


@functools.lru_cache(maxsize=4)
def _second_iso(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))


def _now_iso() -> str:
    """UTC now as `2026-11-27T03:45:22.123Z`; strftime only once a second (memoized)."""
    now = time.time()
    second = int(now)
    return f"{_second_iso(second)}{int((now - second) * 1000):03d}Z"


async def _take(lock: trio.Lock) -> None:
    """Acquire `lock`, skipping `acquire()`'s scheduler round trip when the lock is free.

    Fair all the same (`acquire_nowait` fails while others queue); the caller's next await
    (waiting for its worker thread) is the checkpoint."""
    try:
        lock.acquire_nowait()
    except trio.WouldBlock:
        await lock.acquire()


async def run_in_worker(
    service: ToolsService, tools: SessionTools, fn: Any, timeout: float, token: Any = None
) -> tuple[Any, str | None]:
    """Run `fn(token)` in a worker thread with the session's stop machinery around it.

    `token` defaults to a fresh engine interrupt token (anything with `interrupt(reason)`).
    Answers (what fn returned or None if abandoned, the stop reason or None).

    Two deadlines, no helper task: waiting (for a pool worker, then for the call) runs in
    `soft` until the timeout, which then asks the engine to stop (`tools.stop("timeout")`),
    and in `hard_stop` until `interrupt_grace` later (sooner after an `interrupt`, which moves
    that deadline), which abandons the call: if no worker took it yet it never runs; if one
    did, that worker stays taken until the engine notices the token.
    """
    token = InterruptToken() if token is None else token
    grace = service.config.interrupt_grace
    now = trio.current_time()
    hard_stop = trio.CancelScope(deadline=now + timeout + grace)
    running = RunningEvaluation(token, hard_stop)
    tools.running = running
    call = WorkerCall(fn, token, pool=service.pool)
    try:
        with hard_stop:
            with trio.CancelScope(deadline=now + timeout) as soft:
                await call.wait()
            if soft.cancelled_caught:
                tools.stop("timeout", grace)
                await call.wait()
    finally:
        # Given up on: never run if still queued; if running, it runs on until it sees its
        # token (set below when the cancellation came from outside, e.g. shutdown).
        if not call.finished and not call.abandon() and hard_stop.cancelled_caught:
            log.warning("evaluation in session %s did not stop within %.2f s of its %s; "
                        "abandoned its worker thread", tools.session_id, grace,
                        running.stop_reason)
        if not call.finished and running.stop_reason is None:
            token.interrupt("cancelled")
        tools.running = None
    return call.result(), running.stop_reason


async def run_evaluation(
    service: ToolsService, tools: SessionTools, code: str, mode: str, timeout: float
) -> dict[str, Any]:
    if mode not in MODES:
        raise InvalidRequest(
            f"field 'mode' must be one of {list(MODES)} (got {mode!r})", {"field": "mode"}
        )
    image = service.image

    def work(token: Any) -> tuple[EvalOutcome, str, dict[str, Any] | None]:
        result = engine_port.evaluate(image, tools.workspace, code, token)
        shown, inspection = result.print_string, None
        if result.kind == "success" and mode in ("display", "inspect"):
            # displayString / the fields' printStrings run user code: under the same token.
            with image.activated(token, tools.workspace):
                if mode == "display":
                    shown = image.display_string(result.value)
                else:
                    inspection = inspect_object(
                        result.value, lambda o: engine_port.object_view(image, o),
                        lambda o: summary(image, o), tools.registry,
                    )
        return result, shown, inspection

    await _take(tools.lock)
    try:
        started = time.perf_counter()
        done, stop_reason = await run_in_worker(service, tools, work, timeout)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    finally:
        tools.lock.release()
    result, shown, inspection = (
        done if done is not None else (EvalOutcome(kind="interrupted"), "", None)
    )
    at = _now_iso()
    tools.transcript.write(result.transcript_output)
    if result.kind != "success":
        error = _error_for(result, stop_reason, timeout, elapsed_ms)
        tools.history.record(code, error.message, result.error_class or None, True, at)
        raise error
    ref = tools.registry.register(result.value)
    tools.history.record(code, clip(shown, 1000), result.class_name, False, at)
    reply: dict[str, Any] = {
        "result": clip(shown, MAX_RESULT_CHARS),
        "result_type": result.class_name,
        "object_ref": ref,
        "execution_time_ms": elapsed_ms,
        "has_error": False,
        "bindings_changed": list(result.bindings_changed),
        "transcript_output": result.transcript_output,
        "mode": mode,
    }
    if inspection is not None:
        tools.inspector.visit(ref)
        reply["inspection"] = inspection
    return reply


def summary(image: Any, obj: Any) -> tuple[str, str]:
    return image.print_string(obj), image.class_name_of(obj)


def _error_for(
    result: EvalOutcome, stop_reason: str | None, timeout: float, elapsed_ms: float
) -> Exception:
    if result.kind == "syntax":
        return SyntaxError_(
            f"syntax error at line {result.line}, column {result.column}: "
            f"{result.message_text or 'expected ' + result.expected}",
            {"line": result.line, "column": result.column, "expected": result.expected,
             "message_text": result.message_text},
        )
    if stop_reason == "timeout" or result.kind == "timeout":
        return Timeout(
            f"the evaluation ran longer than its limit of {timeout * 1000:.0f} ms and was "
            "stopped; the session is still usable (pass a larger 'timeout_ms' if it needs "
            "longer, up to the server's maximum)",
            {"timeout_ms": round(timeout * 1000), "execution_time_ms": elapsed_ms},
        )
    if stop_reason is not None or result.kind == "interrupted":
        return Interrupted(
            "the evaluation was interrupted on request; the session is still usable",
            {"execution_time_ms": elapsed_ms},
        )
    stack = [{"class_name": f.class_name, "selector": f.selector, "line": f.line}
             for f in result.stack]
    return EvaluationError(
        f"{result.error_class}: {result.message_text}" if result.message_text
        else f"unhandled {result.error_class}",
        {"error_class": result.error_class, "message_text": result.message_text,
         "stack": stack, "transcript_output": result.transcript_output},
    )
