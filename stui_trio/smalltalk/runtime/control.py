"""Python exceptions that carry Smalltalk control flow, and the per-thread evaluation context.

Generated code and primitives use Python's exception machinery for the transfers Smalltalk makes
through contexts:

- `NonLocalReturn`: `^ value` inside a block; caught by the home method (identified by its
  `home` marker, a one-element list whose item turns False when the method returns, which is
  how a dead home is detected for `BlockCannotReturn`).
- `HandlerUnwind` / `HandlerRetry`: an `on:do:` handler finished (`return:`) or asked to `retry`;
  caught by the `on:do:` primitive that installed the handler.
- `HandlerResume`: `resume:`; caught by the `signal` that ran the handler, which then returns.
- `UnhandledError`: an Error nobody handled; it unwinds to `Image.evaluate` (running `ensure:`
  blocks on the way, as Pharo does when the debugger is closed) which reports it.
- `Interrupted`: the evaluation's interrupt token fired; it passes every Smalltalk handler
  (it is not a Smalltalk exception) but runs `ensure:` blocks.

All derive from BaseException so no `except Exception` in a primitive swallows them.

`EvalContext` is the state of one running evaluation in one worker thread: the interrupt token,
the workspace (for its Transcript and `Smalltalk at:put:` overlay) and the stack of active
exception handlers. The image keeps it in a `threading.local`, so concurrent evaluations of
different workspaces never see each other's handlers or output.
"""

from __future__ import annotations

from typing import Any


class NonLocalReturn(BaseException):
    __slots__ = ("home", "value")

    def __init__(self, home: list, value: Any) -> None:
        self.home = home
        self.value = value


class HandlerUnwind(BaseException):
    def __init__(self, record: Any, value: Any) -> None:
        self.record = record
        self.value = value


class HandlerRetry(BaseException):
    def __init__(self, record: Any, block: Any = None) -> None:
        self.record = record
        self.block = block


class HandlerResume(BaseException):
    def __init__(self, exc: Any, value: Any) -> None:
        self.exc = exc
        self.value = value


class UnhandledError(BaseException):
    """An unhandled Smalltalk Error: `exc` is the Smalltalk exception object."""

    def __init__(self, exc: Any, frames: tuple) -> None:
        self.exc = exc
        self.frames = frames


class Interrupted(BaseException):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PrimitiveFailed(Exception):
    """Raised by a primitive to run the method's Smalltalk fallback code instead."""


class HandlerRecord:
    """An active `on:do:`: the exception selector, the handler block, and its state."""

    __slots__ = ("active", "block", "selector")

    def __init__(self, selector: Any, block: Any) -> None:
        self.selector = selector
        self.block = block
        self.active = False


class EvalContext:
    __slots__ = ("grace_until", "handlers", "token", "transcript", "workspace")

    def __init__(self, token: Any, workspace: Any) -> None:
        self.grace_until = 0.0  # while unwinding an interrupt, ensure: blocks may run until
        self.token = token
        self.workspace = workspace
        self.handlers: list[HandlerRecord] = []
        self.transcript = workspace.transcript if workspace is not None else None
