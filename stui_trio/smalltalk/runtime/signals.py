"""Smalltalk exception handling on top of Python exceptions (see `control.py`).

Pharo runs a handler *on top of* the signalling context and only unwinds when the handler
returns; so does this module. `signal` searches the thread's handler stack from the newest
`on:do:` down (handlers already running are skipped, so a signal inside a handler block goes to
the outer handlers, as in Pharo), runs the handler block right there, and then:

- falls off the end / `return:` -> HandlerUnwind to the `on:do:` (ensure: blocks run as Python
  `finally` clauses while unwinding, after the handler, which is Pharo's order);
- `retry` -> HandlerRetry, the `on:do:` evaluates its receiver again;
- `resume:` -> HandlerResume, caught here: `signal` returns the value;
- `pass` / `outer` search further down the stack from the running handler.

With no handler, `defaultAction` is sent: Error's raises UnhandledError (the evaluation fails
with the error and a stack of frames), Notification's and Warning's answer nil.
"""

from __future__ import annotations

import sys
from typing import Any

from stui_trio.smalltalk.runtime.control import (
    HandlerRecord,
    HandlerResume,
    HandlerRetry,
    HandlerUnwind,
    UnhandledError,
)

# Exception instance variable indices (see kernel/Exception.st: messageText tag signaler
# handlerIndex outerIndex).
HANDLER_INDEX = 3


def signal(image: Any, exc: Any, start: int | None = None) -> Any:
    ctx = image.ctx()
    hs = ctx.handlers
    i = len(hs) - 1 if start is None else start
    while i >= 0:
        rec = hs[i]
        if not rec.active and image.send(rec.selector, "handles:", exc) is True:
            return _run_handler(image, hs, rec, i, exc)
        i -= 1
    return image.send(exc, "defaultAction")


def _run_handler(image: Any, hs: list, rec: HandlerRecord, index: int, exc: Any) -> Any:
    disabled = [r for r in hs[index:] if not r.active]
    for r in disabled:
        r.active = True
    saved = exc.slots[HANDLER_INDEX]
    exc.slots[HANDLER_INDEX] = index
    try:
        blk = rec.block
        if type(blk).__name__ == "Block":
            value = blk.fn(exc) if blk.nargs == 1 else blk.fn()
        else:
            value = image.send(blk, "cull:", exc)
    except HandlerResume as r:
        if r.exc is exc:
            return r.value
        raise
    finally:
        for r in disabled:
            r.active = False
        exc.slots[HANDLER_INDEX] = saved
    raise HandlerUnwind(rec, value)


def on_do(image: Any, blk: Any, selector: Any, handler: Any) -> Any:
    hs = image.ctx().handlers
    rec = HandlerRecord(selector, handler)
    while True:
        n = len(hs)
        hs.append(rec)
        try:
            return blk.fn()
        except HandlerUnwind as u:
            if u.record is rec:
                return u.value
            raise
        except HandlerRetry as r:
            if r.record is not rec:
                raise
            if r.block is not None:
                blk = r.block
        finally:
            del hs[n:]


def current_record(image: Any, exc: Any) -> HandlerRecord | None:
    idx = exc.slots[HANDLER_INDEX]
    hs = image.ctx().handlers
    if type(idx) is int and 0 <= idx < len(hs):
        return hs[idx]
    return None


def outer(image: Any, exc: Any) -> Any:
    idx = exc.slots[HANDLER_INDEX]
    if type(idx) is not int:
        return signal(image, exc)
    try:
        return signal(image, exc, start=idx - 1)
    finally:
        exc.slots[HANDLER_INDEX] = idx


def stack_frames(image: Any, skip: int = 1) -> tuple:
    """The Smalltalk frames of the current Python stack, innermost first."""
    frames = []
    f = sys._getframe(skip)
    reg = image.code_registry
    while f is not None and len(frames) < 64:
        info = reg.get(f.f_code.co_filename)
        if info is not None:
            frames.append(info.frame_at(f.f_lineno))
        f = f.f_back
    return tuple(frames)


def unhandled(image: Any, exc: Any) -> Any:
    raise UnhandledError(exc, stack_frames(image, 2))
