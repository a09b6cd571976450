"""The tokens of STON text, for the reader's hot loop (`reader.py`): compiled patterns and
the less common steps that loop hands off (numbers other than small ints, symbols in their
general forms, whole flat maps, error messages).

Why regular expressions: matching a token at an offset with a precompiled pattern is the
fastest scanner CPython offers, and one match that covers several tokens (a whole
``'key':'value'`` entry, a whole map of plain entries) saves a round of the Python loop per
token. Every fast pattern accepts a subset of what the general path accepts and reads it to
the same value; anything else (whitespace between tokens, ``\\uXXXX`` escapes, non-ASCII
symbol characters, bad input) falls through to the general path, which also words the errors.
`tests/storage/ston/test_reader_differential.py` holds the reader to its earlier, simpler form.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from stui_trio.storage.ston.errors import StonParseError
from stui_trio.storage.ston.model import ScaledDecimal
from stui_trio.storage.ston.numbers import MAX_EXACT_EXPONENT, parse_int
from stui_trio.storage.ston.strings import read_escaped, unescape_named

WS = re.compile(r"[ \t\r\n\f]*")
NUMBER = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:/(0|[1-9][0-9]*)(?:s([0-9]+))?|(\.[0-9]+)?(?:[eE]([-+]?[0-9]+))?)"
)
# Strings (and quoted symbols) whose escapes are all named (\' \\ \n ...) in one match; a
# \uXXXX escape or a bad one takes the slow path (`strings.read_escaped`), which reports errors.
SQ = re.compile(r"'([^'\\]*(?:\\[\"'\\/bfnrt][^'\\]*)*)'")
DQ = re.compile(r'"([^"\\]*(?:\\["\'\\/bfnrt][^"\\]*)*)"')
# "#name" or "#'quoted'" in one match; the ASCII form first (a Unicode character class per
# character is several times slower), retried with the full one when a non-ASCII char follows.
SYMBOL_ASCII = re.compile(r"#([A-Za-z0-9_./\-]+)")
SYMBOL = re.compile(r"#(?:((?:[^\W\d]|[0-9./\-])+)|'([^'\\]*(?:\\[\"'\\/bfnrt][^'\\]*)*)')")
# A map entry's plain 'key': and, in the same match, its value when that is a plain string,
# true, false, nil or a small int; the lookahead leaves anything longer (1.5, 1/3, 10e3, 007)
# to NUMBER, and any other value is read by the next round of the loop.
PAIR = re.compile(
    r"'([^'\\]*)':(?:'([^'\\]*)'|(true)|(false)|(nil)|(-?(?:0|[1-9][0-9]{0,17}))(?![0-9./eE]))?"
)
PAIR_CONSTANTS = {3: True, 4: False, 5: None}
# A whole map of such entries (string values may hold named escapes), and its entries one by one.
_PLAIN_VALUE = (
    r"(?:'[^'\\]*(?:\\[\"'\\/bfnrt][^'\\]*)*'|true|false|nil|-?(?:0|[1-9][0-9]{0,17})(?![0-9./eE]))"
)
FLAT_MAP = re.compile(r"\{'[^'\\]*':" + _PLAIN_VALUE + r"(?:,'[^'\\]*':" + _PLAIN_VALUE + r")*\}")
_FLAT_ENTRY = re.compile(
    r"'([^'\\]*)':(?:'([^'\\]*(?:\\[\"'\\/bfnrt][^'\\]*)*)'|(true|false|nil|-?[0-9]+))"
)
_LITERALS = {"true": True, "false": False, "nil": None}
TAG = re.compile(r"[^\W\d_]\w*")
REF = re.compile(r"@([1-9][0-9]*)")

WS_CHARS = frozenset(" \t\r\n\f")
NUMBER_START = frozenset("-0123456789")


def fail(text: str, pos: int, message: str) -> StonParseError:
    if pos >= len(text):
        message += ", found end of input"
    else:
        message += f", found {text[pos]!r}"
    return StonParseError.at(text, pos, message)


def number(text: str, m: re.Match[str]) -> Any:
    den, scale, frac, exp = m.groups()
    whole = m.group()
    if den is None and frac is None and exp is None:
        return parse_int(whole)
    if den is not None:
        slash = whole.index("/")
        if den == "0":
            raise StonParseError.at(text, m.start() + slash + 1, "fraction with a zero denominator")
        value = Fraction(parse_int(whole[:slash]), parse_int(den))
        if scale is not None:
            return ScaledDecimal(value, int(scale))
        return value.numerator if value.denominator == 1 else value
    if frac is not None:
        return float(whole)
    # Exponent without a '.': an exact Integer or Fraction, as Pharo's reader builds it.
    mantissa, _, power_text = whole.lower().partition("e")
    power = int(power_text)
    if abs(power) > MAX_EXACT_EXPONENT:
        raise StonParseError.at(
            text, m.start(), f"exponent {power} out of range for an exact number"
        )
    if power >= 0:
        return parse_int(mantissa) * 10**power
    value = Fraction(parse_int(mantissa), 10**-power)
    return value.numerator if value.denominator == 1 else value


def flat_pairs(text: str) -> list[tuple[str, Any]]:
    """The entries of a map `FLAT_MAP` matched (so every piece is known to be well formed)."""
    return [
        (key, (unescape_named(s) if "\\" in s else s) if not lit else
         (_LITERALS[lit] if lit in _LITERALS else int(lit)))
        for key, s, lit in _FLAT_ENTRY.findall(text)
    ]


def symbol_name(text: str, pos: int) -> tuple[str, int]:
    """The name of the symbol whose ``#`` is at `pos` (the slower, general forms)."""
    m = SYMBOL.match(text, pos)
    if m is not None:
        name = m.group(1)
        if name is None:
            name = m.group(2)
            if "\\" in name:
                name = unescape_named(name)
        return name, m.end()
    if text.startswith("'", pos + 1):
        return read_escaped(text, pos + 2, "'")
    raise fail(text, pos + 1, "expected a symbol name or a quoted symbol after #")
