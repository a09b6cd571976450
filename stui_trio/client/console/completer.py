"""Tab completion for the readline prompt, backed by the server's ``complete`` command.

readline calls ``complete(text, state)`` with ``state`` 0, 1, 2... until it gets ``None``;
on ``state == 0`` we ask the server once (through the side client, whose short timeout keeps
a slow server from freezing the prompt: no answer in time means no candidates) and hand the
answers out one by one. The server completes at a cursor in the whole line (so it knows the
receiver of ``'abc' asUpp``); readline replaces only the word before the cursor, so each
candidate is returned as that word's replacement. A line starting with ``:`` completes the
console's own command names, and the class name after ``:browse``/``:method``/``:compile``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from stui_trio.client.errors import StuiError

# Word breaks for Smalltalk: ':' is *not* one, so keyword selectors complete whole (at:put:).
DELIMITERS = " \t\n()[]{}.;^'\"!|#$,=<>+-*/\\~&@%?"
_CLASS_ARG_COMMANDS = frozenset({"browse", "method", "compile", "classes"})


@attrs.define
class Completer:
    ask: Callable[[str, int], dict[str, Any]]  # (code, cursor) -> the `complete` result
    command_names: Sequence[str]
    _candidates: list[str] = attrs.field(factory=list)

    def candidates(self, line: str, begin: int, end: int) -> list[str]:
        """Replacements for ``line[begin:end]`` (the word readline will replace)."""
        word = line[begin:end]
        stripped = line.lstrip()
        if stripped.startswith(":"):
            name, space, rest = stripped[1:].partition(" ")
            if not space:
                # Python's readline adds no space after a match: add it, an argument follows.
                return [f":{c} " for c in self.command_names if c.startswith(word.lstrip(":"))]
            if name not in _CLASS_ARG_COMMANDS or " " in rest.strip():
                return []
            return [c for c in self._ask(word, len(word)) if c[:1].isupper()]
        return self._ask(line[:end], end, word)

    def _ask(self, code: str, cursor: int, word: str | None = None) -> list[str]:
        word = code if word is None else word
        try:
            result = self.ask(code, cursor)
        except (StuiError, ValueError):
            return []  # slow or unreachable server, or no session: just no completions
        prefix = str(result.get("prefix", ""))
        # The server's prefix may be shorter than readline's word (e.g. after a ':'); keep
        # what readline would otherwise delete.
        head = word[: len(word) - len(prefix)] if word.endswith(prefix) else ""
        return [head + str(c.get("text", "")) for c in result.get("completions", [])
                if isinstance(c, dict)]

    def readline_hook(self, readline: Any) -> Callable[[str, int], str | None]:
        """The function to give ``readline.set_completer``."""

        def complete(text: str, state: int) -> str | None:
            if state == 0:
                self._candidates = self.candidates(
                    readline.get_line_buffer(), readline.get_begidx(), readline.get_endidx()
                )
            return self._candidates[state] if state < len(self._candidates) else None

        return complete
