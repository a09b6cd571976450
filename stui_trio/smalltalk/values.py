"""The engine API's values: limits, interrupt tokens, workspaces, outcomes and change records.

These are what the tools and storage layers see of the engine. Outcomes and change records are
frozen attrs values (safe to hand across threads and to log); `InterruptToken` and `Workspace`
are small mutable objects with thread-safe operations.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs


@attrs.frozen
class EngineLimits:
    """Resource limits enforced by primitives and the evaluator."""

    max_collection_size: int = 10_000_000
    max_string_size: int = 100_000_000
    max_integer_bits: int = 1_000_000
    max_factorial: int = 20_000
    recursion_limit: int = 12_000  # Python frames; about 5000+ Smalltalk activations
    max_print_chars: int = 100_000


class InterruptToken:
    """Set from any thread to stop an evaluation at its next poll (within microseconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.is_set = False
        self.reason = "interrupted"
        self._flags: list[list] = []

    def interrupt(self, reason: str = "interrupted") -> None:
        """`reason` is "interrupted" or "timeout" (the failure kind the evaluation reports)."""
        with self._lock:
            self.reason = reason
            self.is_set = True
            for flag in self._flags:
                flag[0] = True

    def attach(self, flag: list) -> None:
        with self._lock:
            self._flags.append(flag)
            if self.is_set:
                flag[0] = True

    def detach(self, flag: list) -> None:
        with self._lock:
            if flag in self._flags:
                self._flags.remove(flag)


class TranscriptSink:
    """A workspace's Transcript output, written by `Transcript show:` & co."""

    def __init__(self, max_chars: int = 1_000_000) -> None:
        self._lock = threading.Lock()
        self._parts: list[str] = []
        self._size = 0
        self._max = max_chars

    def write(self, text: str) -> None:
        with self._lock:
            if self._size + len(text) > self._max:
                text = text[: max(0, self._max - self._size)]
            self._parts.append(text)
            self._size += len(text)

    def drain(self) -> str:
        """Answer and forget everything written since the last drain."""
        with self._lock:
            out = "".join(self._parts)
            self._parts.clear()
            self._size = 0
            return out

    def mark(self) -> int:
        with self._lock:
            return len(self._parts)

    def since(self, mark: int) -> str:
        with self._lock:
            return "".join(self._parts[mark:])


class Workspace:
    """One session's workspace: its variable bindings and its own Transcript."""

    def __init__(self) -> None:
        self.bindings: dict[str, Any] = {}
        self.transcript = TranscriptSink()


@attrs.frozen
class Frame:
    class_name: str
    selector: str
    line: int


@attrs.frozen
class EvalOutcome:
    """Either kind == "success" (value, print_string, class_name, bindings_changed,
    transcript_output) or a failure: kind in "syntax" | "error" | "interrupted" | "timeout"
    with error_class, message_text, stack, and for syntax errors line, column, expected."""

    kind: str
    value: Any = None
    print_string: str = ""
    class_name: str = ""
    bindings_changed: tuple[str, ...] = ()
    transcript_output: str = ""
    error_class: str = ""
    message_text: str = ""
    stack: tuple[Frame, ...] = ()
    line: int = 0
    column: int = 0
    expected: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "success"


@attrs.frozen
class ImageChange:
    """One change to the shared image, as storage logs and replays it.

    kind: "define_class" (source = the definition expression), "compile_method",
    "remove_method", "class_comment".
    """

    kind: str
    class_name: str
    selector: str = ""
    source: str = ""
    category: str = ""
    meta: bool = False
