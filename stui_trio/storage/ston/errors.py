"""The STON layer's errors: one base class, one for reading, one for writing, one for mapping.

`StonParseError` carries what a caller needs to point at the mistake in the text: the character
`offset`, and the 1-based `line` and `column` derived from it. Every malformed input the reader
can meet surfaces as this one exception type (never an IndexError, RecursionError or
ValueError), so a session store can catch it and fall back to a backup file.
"""

from __future__ import annotations


class StonError(ValueError):
    """Base of everything the STON layer raises on purpose.

    A ValueError, as ``json.JSONDecodeError`` is, so callers that treat "bad data" generically
    (``except ValueError``) catch STON problems too.
    """


def position_of(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of `offset` in `text`; LF, CR and CRLF each end a line."""
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return line, column


class StonParseError(StonError):
    """Malformed STON text (or bytes that are not UTF-8 STON)."""

    def __init__(self, message: str, offset: int, line: int, column: int):
        super().__init__(message, offset, line, column)
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column

    @classmethod
    def at(cls, text: str, offset: int, message: str) -> StonParseError:
        line, column = position_of(text, offset)
        return cls(message, offset, line, column)

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} (offset {self.offset}): {self.message}"


class StonWriteError(StonError):
    """A value the writer cannot express as STON (unknown type, lone surrogate, bad tag)."""


class StonMappingError(StonError):
    """A STON object the tag registry cannot turn into a domain object, or the reverse."""
