"""Reading Smalltalk from the terminal: when is an input complete?

The rule, as a Smalltalker would expect from a workspace: press Enter and the input is
evaluated *if it is complete* — every ``[``, ``(`` and ``{`` closed, no ``'string'`` or
``"comment"`` left open. Otherwise the console asks for more (prompt ``...``). To continue a
complete-looking line anyway (a cascade over several lines, say), end it with a backslash.
While continuing, an empty line sends what you have as it is (the server then tells you
what is wrong with it).

History goes through readline (arrow keys, Ctrl-R) into a history file when stdin is a
terminal, with Tab completion when a completer is installed; piped input is read plainly,
without prompts. :meth:`InputReader.read_block` reads raw source (``:define``, ``:compile``)
up to a line holding only ``!``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_HISTORY_FILE = Path.home() / ".stui_trio" / "console_history"
_OPENERS = {"[": "]", "(": ")", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())


def is_complete(source: str) -> bool:
    """Whether ``source`` has no open bracket, string or comment (a cheap scan, not a parse)."""
    depth = 0
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "$":  # a character literal: $' $" $[ are not openers
            i += 2
            continue
        if ch in "'\"":
            end = source.find(ch, i + 1)
            while end != -1 and ch == "'" and source.startswith("''", end):
                end = source.find(ch, end + 2)  # '' is an escaped quote inside a string
            if end == -1:
                return False
            i = end + 1
            continue
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        i += 1
    return depth <= 0


class InputReader:
    """Reads one complete input at a time; ``None`` at end of input (Ctrl-D, closed pipe)."""

    def __init__(self, history_file: Path | None) -> None:
        self.interactive = sys.stdin.isatty()
        self._history_file = history_file
        self._readline = None
        if self.interactive:
            with contextlib.suppress(ImportError):
                import readline  # optional, and only useful on a terminal

                self._readline = readline
                if history_file is not None:
                    history_file.parent.mkdir(parents=True, exist_ok=True)
                    with contextlib.suppress(OSError):
                        readline.read_history_file(history_file)
                    readline.set_history_length(2000)

    def install_completer(self, make: Callable[[object], Callable[[str, int], str | None]],
                          delimiters: str) -> None:
        """Tab completion (terminal only): ``make(readline)`` builds the completer function."""
        if self._readline is None:
            return
        self._readline.set_completer(make(self._readline))
        self._readline.set_completer_delims(delimiters)
        if "libedit" in (self._readline.__doc__ or ""):
            self._readline.parse_and_bind("bind ^I rl_complete")
        else:
            self._readline.parse_and_bind("tab: complete")

    def read_block(self, prompt: str = "src> ") -> str | None:
        """Lines up to one holding only ``!`` (or end of input), joined; None if none."""
        lines: list[str] = []
        while (line := self._line(prompt)) is not None and line.strip() != "!":
            lines.append(line)
        text = "\n".join(lines).strip("\n")
        return text or None

    def save_history(self) -> None:
        if self._readline is not None and self._history_file is not None:
            with contextlib.suppress(OSError):
                self._readline.write_history_file(self._history_file)

    def _line(self, prompt: str) -> str | None:
        try:
            if self.interactive:
                return input(prompt)
            line = sys.stdin.readline()
            return line.rstrip("\n") if line else None
        except EOFError:
            return None

    def read(self, prompt: str = "st> ", more: str = "... ") -> str | None:
        lines: list[str] = []
        while True:
            line = self._line(more if lines else prompt)
            if line is None:
                return "\n".join(lines) if lines else None
            if lines and not line.strip():
                return "\n".join(lines)  # an empty line ends a continued input
            forced = line.endswith("\\")
            lines.append(line[:-1] if forced else line)
            text = "\n".join(lines)
            if not lines[0].strip():
                lines.clear()
                continue
            if lines[0].lstrip().startswith(":") and not forced:
                return text  # console commands are one line
            if not forced and is_complete(text):
                return text
