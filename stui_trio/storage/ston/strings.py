"""STON string escapes, both directions, byte-compatible with Pharo's STONWriter.

Reading: only backslash escapes exist (``\\' \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX``); any other
escape, a short ``\\u``, or a surrogate escape that is not a proper lead+trail pair is an error.
Raw characters (newlines included) are kept exactly.

Writing: printable ASCII raw except ``'`` and ``\\``; BS TAB LF FF CR as named escapes; other
C0 controls, DEL and C1 (U+0080..U+009F) as ``\\u00XX`` (uppercase hex); everything from U+00A0
raw, or ``\\uXXXX`` (surrogate pairs above U+FFFF) when `ascii_only`. A Python str may hold lone
surrogates that UTF-8 cannot encode; the writer rejects them rather than emit a text that no
strict reader (ours included) would take back.
"""

from __future__ import annotations

import re

from stui_trio.storage.ston.errors import StonWriteError

NAMED_ESCAPES = {
    "'": "'",
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}

# One step of the slow path: a run of plain characters, then an escape or the closing quote.
_PIECE = {
    "'": re.compile(r"([^'\\]*)(?:(')|(\\)(?:([\"'\\/bfnrt])|u([0-9A-Fa-f]{4}))?)?"),
    '"': re.compile(r'([^"\\]*)(?:(")|(\\)(?:(["\'\\/bfnrt])|u([0-9A-Fa-f]{4}))?)?'),
}


class StringSyntaxError(Exception):
    """Internal: a bad string at `offset`; the reader turns it into a StonParseError."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def read_escaped(text: str, start: int, quote: str) -> tuple[str, int]:
    """Decode the string whose opening `quote` is at ``start - 1``; return (value, end).

    `end` is the index just past the closing quote. Used when the fast regex (no escapes)
    did not match.
    """
    piece = _PIECE[quote]
    parts: list[str] = []
    pos = start
    while True:
        m = piece.match(text, pos)
        parts.append(m.group(1))
        esc_at = m.end(1)
        if m.group(2):
            return "".join(parts), m.end()
        if m.group(3) is None:
            raise StringSyntaxError("unterminated string", start - 1)
        named, hexa = m.group(4), m.group(5)
        if named:
            parts.append(NAMED_ESCAPES[named])
            pos = m.end()
            continue
        if hexa is None:
            bad = text[esc_at + 1 : esc_at + 2] or "end of input"
            if bad == "u":
                raise StringSyntaxError("\\u needs exactly four hex digits", esc_at)
            raise StringSyntaxError(f"invalid escape \\{bad}", esc_at)
        code = int(hexa, 16)
        pos = m.end()
        if 0xDC00 <= code <= 0xDFFF:
            raise StringSyntaxError("trail surrogate escape without a lead surrogate", esc_at)
        if 0xD800 <= code <= 0xDBFF:
            trail = text[pos : pos + 6]
            if len(trail) < 6 or trail[:2] != "\\u" or not _is_hex4(trail[2:]):
                raise StringSyntaxError(
                    "lead surrogate escape must be followed by \\uDC00-\\uDFFF", pos
                )
            low = int(trail[2:], 16)
            if not 0xDC00 <= low <= 0xDFFF:
                raise StringSyntaxError(
                    "lead surrogate escape must be followed by \\uDC00-\\uDFFF", pos
                )
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            pos += 6
        parts.append(chr(code))


_NAMED_PAIRS = tuple(("\\" + k, v) for k, v in NAMED_ESCAPES.items() if k not in "'\\")


def unescape_named(body: str) -> str:
    """Decode a string body whose escapes are all named ones (``\\' \\\\ \\n``...; the reader's
    regex checked that), with str.replace in C instead of a loop per escape.

    Escapes are pairs read left to right, so splitting on the first ``\\\\`` always cuts
    between two pairs; in each piece every backslash then starts an escape whose second
    character is not a backslash, and replacing one kind cannot create another.
    """
    if "\\\\" in body:
        return "\\".join(unescape_named(piece) for piece in body.split("\\\\"))
    body = body.replace("\\'", "'")
    if "\\" in body:
        for escape, char in _NAMED_PAIRS:
            body = body.replace(escape, char)
    return body


def _is_hex4(s: str) -> bool:
    return len(s) == 4 and all(c in "0123456789abcdefABCDEF" for c in s)


def _table(ascii_only: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = f"\\u{code:04X}"
    table.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"})
    table[ord("'")] = "\\'"
    table[ord("\\")] = "\\\\"
    for code in range(0x7F, 0xA0):
        table[code] = f"\\u{code:04X}"
    return table


_TABLE = _table(False)
# Characters that force the slow path: escapes, C0/DEL/C1 controls, surrogates.
_NEEDS_WORK = re.compile("['\\\\\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NEEDS_WORK_ASCII = re.compile("['\\\\\x00-\x1f\x7f-\U0010ffff]")
_NON_ASCII = re.compile("[\x80-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_non_ascii(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    shifted = code - 0x10000
    return f"\\u{0xD800 + (shifted >> 10):04X}\\u{0xDC00 + (shifted & 0x3FF):04X}"


def quote(value: str, ascii_only: bool = False) -> str:
    """The STON text of the string `value`, quotes included."""
    if not (_NEEDS_WORK_ASCII if ascii_only else _NEEDS_WORK).search(value):
        return "'" + value + "'"
    bad = _SURROGATE.search(value)
    if bad:
        raise StonWriteError(
            f"string holds a lone surrogate U+{ord(bad.group()):04X} at index {bad.start()}"
        )
    body = value.translate(_TABLE)
    if ascii_only:
        body = _NON_ASCII.sub(_escape_non_ascii, body)
    return "'" + body + "'"
