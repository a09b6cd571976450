"""The STON writer: the neutral value model to text, following Pharo's STONWriter byte for byte.

Compact mode (the default) writes no whitespace at all. Pretty mode is STONWriter's
``prettyPrint: true``: one element per line, one tab per level, `` : `` between key and value,
a space after a tag (``Point [ 1, 2 ]``), ``[ ]`` and ``{ }`` for empty containers, one-line
``Tag [ x ]`` for Pharo's singleton tags (Character, ByteArray, Date, ...) and ``[ x, y ]`` for
its short lists (Point, paths). `newline` picks the line ending (LF by default).

References: every list, map (StonMap or dict), StonObject and non-finite float takes the next
number in pre-order as the reader counts them; the second visit of the same Python object is
written ``@N``. Primitives and Associations are written out every time, as Pharo does.

The walk uses an explicit stack of open containers, so depth is limited only by memory (the
reader's `max_depth` is the limit that matters for a round trip).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from stui_trio.storage.ston.errors import StonWriteError
from stui_trio.storage.ston.model import Association, ScaledDecimal, StonMap, StonObject, Symbol
from stui_trio.storage.ston.numbers import float_text, fraction_text, int_text, scaled_text
from stui_trio.storage.ston.strings import quote

# Tags whose one-element list Pharo writes with listSingleton (``Character [ 'a' ]`` when pretty).
SINGLETON_TAGS = frozenset(
    [
        "Character",
        "ByteArray",
        "UUID",
        "Class",
        "Metaclass",
        "Date",
        "Time",
        "DateAndTime",
        "Float",
        "URL",
        "MimeType",
        "FILE",
        "Color",
    ]
)
# Tags Pharo writes with streamShortList (``Point [ 1, 2 ]`` when pretty).
SHORT_LIST_TAGS = frozenset(["Point", "AbsolutePath", "RelativePath", "Path"])

_SIMPLE_SYMBOL = re.compile(r"[A-Za-z0-9\-_./]+")
_TAG = re.compile(r"[^\W\d_]\w*")
_FLOAT_SPECIAL = {"nan": "#nan", "inf": "#infinity", "-inf": "#negativeInfinity"}


def symbol_text(name: str, ascii_only: bool = False) -> str:
    """``#foo`` when every character is an ASCII letter, digit, ``-_./``; else ``#'...'``."""
    if _SIMPLE_SYMBOL.fullmatch(name):
        return "#" + name
    return "#" + quote(name, ascii_only)


class _Raw(str):
    """Already-formatted text inside a frame's item list (separators, colons)."""

    __slots__ = ()


def dumps(
    value: Any, *, pretty: bool = False, ascii_only: bool = False, newline: str = "\n"
) -> str:
    """The STON text of `value` (see `model` for the Python types that can be written)."""
    return _Writer(pretty, ascii_only, newline).write(value)


class _Writer:
    def __init__(self, pretty: bool, ascii_only: bool, newline: str):
        self.pretty = pretty
        self.ascii_only = ascii_only
        self.newline = newline
        self.seen: dict[int, int] = {}
        self.tags_ok: set[str] = set()
        colon = " : " if pretty else ":"
        self.colon = _Raw(colon)
        self.indents: list[str] = []

    def indent(self, level: int) -> str:
        while len(self.indents) <= level:
            self.indents.append(self.newline + "\t" * len(self.indents))
        return self.indents[level]

    def primitive(self, v: Any) -> str | None:
        """Text of a primitive value, or None when `v` is a container or association."""
        kind = type(v)
        if kind is str:
            return quote(v, self.ascii_only)
        if kind is int:
            return int_text(v)
        if kind is Symbol:
            return symbol_text(v.name, self.ascii_only)
        if v is None:
            return "nil"
        if kind is bool:
            return "true" if v else "false"
        if kind is float:
            return float_text(v) if math.isfinite(v) else None
        if kind is Fraction:
            return fraction_text(v)
        if kind is ScaledDecimal:
            return scaled_text(v.value, v.scale)
        if kind in (list, StonMap, StonObject, dict, Association):
            return None
        # Subclasses of the basic types (IntEnum, str subclasses...) write as their base type.
        for base in (bool, int, str, float):
            if isinstance(v, base):
                return self.primitive(base(v))
        raise StonWriteError(f"cannot write a {kind.__name__} as STON: {v!r:.80}")

    def write(self, top: Any) -> str:
        out: list[str] = []
        emit = out.append
        # Each frame: an iterator over items (values or _Raw text) plus the level of its items.
        stack: list[tuple[Iterator[Any], int]] = [(iter((top,)), 0)]
        while stack:
            items, level = stack[-1]
            for item in items:
                if type(item) is _Raw:
                    emit(item)
                    continue
                text = self.primitive(item)
                if text is not None:
                    emit(text)
                    continue
                opened = self.open(item, level, emit)
                if opened is not None:
                    stack.append(opened)
                    break
            else:
                stack.pop()
        return "".join(out)

    def open(self, v: Any, level: int, emit: Any) -> tuple[Iterator[Any], int] | None:
        """Write the start of a container (or its @N); return the frame for its items."""
        if type(v) is Association:
            return iter((v.key, self.colon, v.value)), level
        key = id(v)
        number = self.seen.get(key)
        if number is not None:
            emit(f"@{number}")
            return None
        self.seen[key] = len(self.seen) + 1
        kind = type(v)
        if kind is float:  # nan or infinity: an object, like Pharo's Float constants
            name = "nan" if v != v else ("inf" if v > 0 else "-inf")
            emit(
                "Float [ " + _FLOAT_SPECIAL[name] + " ]"
                if self.pretty
                else "Float[" + _FLOAT_SPECIAL[name] + "]"
            )
            return None
        if kind is list:
            return self.list_body(v, level, emit, None)
        if kind is StonMap:
            return self.map_body(v.pairs, level, emit)
        if kind is dict:
            return self.map_body(list(v.items()), level, emit)
        if kind is StonObject:
            tag = v.tag
            if tag not in self.tags_ok:
                if not (type(tag) is str and _TAG.fullmatch(tag) and tag[0].isupper()):
                    raise StonWriteError(f"not a valid STON class tag: {tag!r}")
                if self.ascii_only and not tag.isascii():
                    raise StonWriteError(f"ascii_only: the tag {tag!r} cannot be escaped")
                self.tags_ok.add(tag)
            emit(tag + " " if self.pretty else tag)
            if type(v.value) is list:
                return self.list_body(v.value, level, emit, tag)
            if type(v.value) is StonMap:
                return self.map_body(v.value.pairs, level, emit)
            raise StonWriteError(f"StonObject {tag} holds a {type(v.value).__name__}")
        raise StonWriteError(f"cannot write a {kind.__name__} as STON")

    def list_body(
        self, items: list[Any], level: int, emit: Any, tag: str | None
    ) -> tuple[Iterator[Any], int] | None:
        if not items:
            emit("[ ]" if self.pretty else "[]")
            return None
        if not self.pretty:
            emit("[")
            return _interleave(items, _Raw(","), "]"), level
        if tag in SINGLETON_TAGS and len(items) == 1:
            emit("[ ")
            return iter((items[0], _Raw(" ]"))), level
        if tag in SHORT_LIST_TAGS:
            emit("[ ")
            return _interleave(items, _Raw(", "), " ]"), level + 1
        inner = self.indent(level + 1)
        emit("[" + inner)
        return _interleave(items, _Raw("," + inner), self.indent(level) + "]"), level + 1

    def map_body(
        self, pairs: list[tuple[Any, Any]], level: int, emit: Any
    ) -> tuple[Iterator[Any], int] | None:
        if not pairs:
            emit("{ }" if self.pretty else "{}")
            return None
        if not self.pretty:
            emit("{")
            return _pairs(pairs, self.colon, _Raw(","), "}"), level
        inner = self.indent(level + 1)
        emit("{" + inner)
        return _pairs(pairs, self.colon, _Raw("," + inner), self.indent(level) + "}"), level + 1


def _interleave(items: list[Any], sep: _Raw, close: str) -> Iterator[Any]:
    first = True
    for each in items:
        if first:
            first = False
        else:
            yield sep
        yield each
    yield _Raw(close)


def _pairs(pairs: list[tuple[Any, Any]], colon: _Raw, sep: _Raw, close: str) -> Iterator[Any]:
    first = True
    for k, v in pairs:
        if first:
            first = False
        else:
            yield sep
        yield k
        yield colon
        yield v
    yield _Raw(close)
