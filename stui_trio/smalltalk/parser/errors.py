"""The one error the parser raises: `SmalltalkSyntaxError`.

It carries what a client needs to point at the mistake: the character `offset` into the source,
the 1-based `line` and `column` derived from it, and `expected`, a short description of what
would have been valid there ("expression", "']'", "period or end of input"...). The full
`message` reads as a sentence ("expected ']' to close the block opened at line 1, column 1,
found end of input"); `str()` prefixes it with the position. The wire protocol's `SyntaxError`
details (line, column, what was expected) are taken straight from these attributes.
"""

from __future__ import annotations

from stui_trio.smalltalk.ast import position_of


class SmalltalkSyntaxError(Exception):
    def __init__(self, message: str, *, offset: int, line: int, column: int, expected: str):
        super().__init__(message, offset, line, column, expected)
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
        self.expected = expected

    @classmethod
    def at(cls, source: str, offset: int, message: str, expected: str) -> SmalltalkSyntaxError:
        """Build the error for `offset` in `source`, computing line and column."""
        line, column = position_of(source, offset)
        return cls(message, offset=offset, line=line, column=column, expected=expected)

    def __reduce__(self):  # keep pickling (e.g. across worker threads/processes) working
        return (
            _rebuild,
            (self.message, self.offset, self.line, self.column, self.expected),
        )

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def _rebuild(message: str, offset: int, line: int, column: int, expected: str):
    return SmalltalkSyntaxError(message, offset=offset, line=line, column=column, expected=expected)
