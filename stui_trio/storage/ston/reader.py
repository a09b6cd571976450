"""The STON reader: text (or UTF-8 bytes) to the neutral value model of `model.py`.

Strict by default: one value per text (trailing input is an error), only the escapes of the
spec, no leading zeros, tags and symbols as the reference reader takes them (Unicode letters
allowed), ``null`` and double-quoted strings accepted for JSON compatibility.

How it works, and why:

- A hand-written loop with an explicit stack of open containers, so nesting depth is bounded
  by `max_depth` (default 10,000) and never by Python's recursion limit. Tokens are matched
  with the precompiled patterns of `tokens.py` at the current offset; the commonest shapes of
  a session document take one match for several tokens (strings with named escapes, a
  ``'key':value`` entry, a whole map of plain entries), everything else the general path.
- References (note section 6): every list, map and tagged object takes the next number in
  pre-order when its opening bracket (or tag) is read, so ``@N`` to an object already opened
  resolves at once to that very Python object, even while it is still being filled; that is
  how cycles come out as real cycles. Only forward references (``[@2,[1]]``, never written by
  a STON writer) leave placeholders, filled by a second pass over the numbered objects; a
  number that never occurs is an error. `StonMap` builds its lookup lazily, so maps and sets
  whose keys were references need no rehash (note 8.3).
- ``Array[...]`` and ``Dictionary{...}`` read as the untagged forms; ``Float[#nan]``,
  ``Float[#infinity]``, ``Float[#negativeInfinity]`` and ``Float[3.14]`` read as Python
  floats (each still takes a reference number). Every other tag becomes a `StonObject`; what
  it means is the business of `mapping.TagRegistry`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from stui_trio.storage.ston.errors import StonParseError
from stui_trio.storage.ston.model import Association, StonMap, StonObject, Symbol
from stui_trio.storage.ston.strings import StringSyntaxError, read_escaped, unescape_named
from stui_trio.storage.ston.tokens import (
    DQ,
    FLAT_MAP,
    NUMBER,
    NUMBER_START,
    PAIR,
    PAIR_CONSTANTS,
    REF,
    SQ,
    SYMBOL_ASCII,
    TAG,
    WS,
    WS_CHARS,
    fail,
    flat_pairs,
    number,
    symbol_name,
)

DEFAULT_MAX_DEPTH = 10_000

_TOP, _LIST, _MAP_KEY, _MAP_VALUE, _ASSOC = 0, 1, 2, 3, 4
_PENDING = object()  # a Float[...] slot whose value is known only at its closing bracket
# Each Float[#nan] read makes a fresh float object, so sharing round-trips exactly (the writer
# numbers non-finite floats by identity, as Pharo numbers its Float constants).
_FLOAT_SPECIALS = {"nan": "nan", "infinity": "inf", "negativeInfinity": "-inf"}


class _Ref:
    """A forward reference waiting for the second pass."""

    __slots__ = ("index", "offset")

    def __init__(self, index: int, offset: int):
        self.index = index
        self.offset = offset


def load_bytes(data: bytes, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Read one STON value from UTF-8 `data` (no BOM; a cut multi-byte sequence is an error)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise StonParseError("a UTF-8 byte order mark is not STON", 0, 1, 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", errors="replace")
        if exc.reason == "unexpected end of data":
            message = "input ends inside a multi-byte UTF-8 sequence (truncated file?)"
        else:
            message = f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte {exc.start}"
        raise StonParseError.at(prefix, len(prefix), message) from None
    return loads(text, max_depth=max_depth)


def loads(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Read exactly one STON value from `text`; anything malformed raises StonParseError."""
    if text.startswith("\ufeff"):
        raise StonParseError("a byte order mark is not STON", 0, 1, 1)
    try:
        return _parse(text, max_depth)
    except StringSyntaxError as exc:
        raise StonParseError.at(text, exc.offset, exc.message) from None


def _close_float(text: str, items: list[Any], pos: int) -> float:
    if len(items) == 1:
        arg = items[0]
        if type(arg) is Symbol and arg.name in _FLOAT_SPECIALS:
            return float(_FLOAT_SPECIALS[arg.name])
        if type(arg) in (int, float, Fraction):
            return float(arg)
    raise StonParseError.at(
        text, pos, "Float[...] needs one of #nan, #infinity, #negativeInfinity or a number"
    )


def _parse(text: str, max_depth: int) -> Any:
    """The hot loop. The open container lives in locals (kind, cont, key, result, slot);
    enclosing ones are saved on `stack`. Kept as one flat function, the commonest tokens
    tested first, because every call and attribute lookup per token shows in the timings.
    For a map, `cont` is its `pairs` list (one attribute lookup less per entry)."""
    n = len(text)
    ws = WS.match
    wsset = WS_CHARS
    numstart = NUMBER_START
    sq = SQ.match
    number_re = NUMBER.match
    symbol_re = SYMBOL_ASCII.match
    ref_re = REF.match
    pair_re = PAIR.match
    flat_map = FLAT_MAP.match
    new_map = StonMap.__new__
    objects: list[Any] = []
    append_object = objects.append
    symbols: dict[str, Symbol] = {}
    forward = False
    stack: list[tuple[int, Any, Any, Any, int]] = []
    push = stack.append
    pop = stack.pop
    kind, cont, key, result, slot = _TOP, None, None, None, 0
    pos = 0
    value: Any = None
    while True:
        # ---- read one simple value at pos (or open a container and go round again)
        c = text[pos] if pos < n else ""
        if c in wsset:
            pos = ws(text, pos).end()
            c = text[pos] if pos < n else ""
        if c == "'":
            # 'key':value in one match, for the commonest values of a map entry
            m = pair_re(text, pos) if kind == _MAP_KEY else None
            if m is not None:
                key = m.group(1)
                last = m.lastindex
                kind = _MAP_VALUE
                pos = m.end()
                if last == 1:
                    continue  # key and ':' read; the value is not a plain one
                if last == 2:
                    value = m.group(2)
                elif last == 6:
                    value = int(m.group(6))
                else:
                    value = PAIR_CONSTANTS[last]
            elif (m := sq(text, pos)) is not None:
                value = m.group(1)
                if "\\" in value:
                    value = unescape_named(value)
                pos = m.end()
            else:
                value, pos = read_escaped(text, pos + 1, c)
        elif c == "[" or c == "{":
            if len(stack) >= max_depth:
                raise StonParseError.at(text, pos, f"nesting deeper than max_depth={max_depth}")
            if c == "{" and (m := flat_map(text, pos)) is not None:
                # a whole map of plain entries in one match, its pairs in one findall
                value = new_map(StonMap)
                value.pairs = flat_pairs(m.group())
                value._index = None
                append_object(value)
                pos = m.end()
            else:
                new_slot = len(objects)
                if c == "[":
                    container: Any = []
                    new_result: Any = container
                    new_kind = _LIST
                    closer = "]"
                else:
                    container = []
                    new_result = new_map(StonMap)
                    new_result.pairs = container
                    new_result._index = None
                    new_kind = _MAP_KEY
                    closer = "}"
                append_object(new_result)
                pos += 1
                c = text[pos] if pos < n else ""
                if c in wsset:
                    pos = ws(text, pos).end()
                    c = text[pos] if pos < n else ""
                if c == closer:
                    pos += 1
                    value = new_result
                else:
                    push((kind, cont, key, result, slot))
                    kind, cont, key, result, slot = new_kind, container, None, new_result, new_slot
                    continue
        elif c in numstart:
            m = number_re(text, pos)
            if m is None:
                raise fail(text, pos, "expected a number")
            last = m.lastindex
            end = m.end()
            if last is None and end - pos < 4000:
                value = int(m.group())
            elif last == 3:  # digits.digits, the common float
                value = float(m.group())
            else:
                value = number(text, m)
            pos = end
        elif c == "#":
            m = symbol_re(text, pos)
            if m is not None and not (m.end() < n and text[m.end()] > "\x7f"):
                name = m.group(1)
                pos = m.end()
            else:
                name, pos = symbol_name(text, pos)
            value = symbols.get(name)
            if value is None:
                value = symbols[name] = Symbol(name)
        elif c == "@":
            m = ref_re(text, pos)
            if m is None:
                raise fail(text, pos + 1, "expected a reference number (1 or more) after @")
            index = int(m.group(1))
            if index <= len(objects) and objects[index - 1] is not _PENDING:
                value = objects[index - 1]
            else:
                value = _Ref(index, pos)
                forward = True
            pos = m.end()
        elif c == "t" and text.startswith("true", pos):
            value, pos = True, pos + 4
        elif c == "n" and text.startswith("nil", pos):
            value, pos = None, pos + 3
        elif c == "f" and text.startswith("false", pos):
            value, pos = False, pos + 5
        elif c.isupper():
            m = TAG.match(text, pos)
            if m is None or not c.isalpha():
                raise fail(text, pos, "expected a value")
            tag = m.group()
            pos = ws(text, m.end()).end()
            c = text[pos : pos + 1]
            if c != "[" and c != "{":
                raise fail(text, pos, f"expected '[' or '{{' after the tag {tag}")
            if len(stack) >= max_depth:
                raise StonParseError.at(text, pos, f"nesting deeper than max_depth={max_depth}")
            new_slot = len(objects)
            if c == "[":
                container = []
                new_kind = _LIST
                closer = "]"
                body: Any = container
            else:
                container = []
                body = new_map(StonMap)
                body.pairs = container
                body._index = None
                new_kind = _MAP_KEY
                closer = "}"
            new_result = _tagged(text, pos, tag, new_kind, body)
            append_object(new_result)
            pos += 1
            if pos < n and text[pos] in wsset:
                pos = ws(text, pos).end()
            if text.startswith(closer, pos):
                pos += 1
                value = new_result
                if value is _PENDING:
                    value = objects[new_slot] = _close_float(text, container, pos)
            else:
                push((kind, cont, key, result, slot))
                kind, cont, key, result, slot = new_kind, container, None, new_result, new_slot
                continue
        elif c == '"':
            m = DQ.match(text, pos)
            if m is not None:
                value = m.group(1)
                if "\\" in value:
                    value = unescape_named(value)
                pos = m.end()
            else:
                value, pos = read_escaped(text, pos + 1, c)
        elif text.startswith("null", pos):
            value, pos = None, pos + 4
        else:
            raise fail(text, pos, "expected a value")

        # ---- a simple value is complete: map key, association key, or element of its frame
        simple = True
        while True:
            c = text[pos] if pos < n else ""
            if c in wsset:
                pos = ws(text, pos).end()
                c = text[pos] if pos < n else ""
            if simple:
                if kind == _MAP_KEY:
                    if c != ":":
                        raise fail(text, pos, "expected ':' after a map key")
                    kind = _MAP_VALUE
                    key = value
                    pos += 1
                    break
                if c == ":":
                    if len(stack) >= max_depth:
                        raise StonParseError.at(
                            text, pos, f"nesting deeper than max_depth={max_depth}"
                        )
                    push((kind, cont, key, result, slot))
                    kind, key = _ASSOC, value
                    pos += 1
                    break
            if kind == _LIST:
                cont.append(value)
                closer = "]"
            elif kind == _MAP_VALUE:
                cont.append((key, value))
                kind = _MAP_KEY
                closer = "}"
            elif kind == _ASSOC:
                value = Association(key, value)
                kind, cont, key, result, slot = pop()
                simple = False
                continue
            else:  # top level
                if pos != n:
                    raise fail(text, pos, "expected end of input after the value")
                if forward:
                    value = _resolve_all(text, objects, value)
                return value
            if c == ",":
                pos += 1
                break
            if c != closer:
                raise fail(text, pos, f"expected ',' or '{closer}'")
            pos += 1
            value = result
            if value is _PENDING:
                value = objects[slot] = _close_float(text, cont, pos)
            kind, cont, key, result, slot = pop()
            simple = True


def _tagged(text: str, pos: int, tag: str, kind: int, container: Any) -> Any:
    """What a tagged container reads as: the plain container, a Float slot, or a StonObject."""
    if tag == "Array" or tag == "Dictionary":
        if (tag == "Array") != (kind == _LIST):
            shape = "list" if tag == "Array" else "map"
            raise StonParseError.at(text, pos, f"{tag} needs a {shape}")
        return container
    if tag == "Float":
        if kind != _LIST:
            raise StonParseError.at(text, pos, "Float needs a list representation")
        return _PENDING
    return StonObject(tag, container)


def _resolve_all(text: str, objects: list[Any], top: Any) -> Any:
    """Second pass: replace forward-reference placeholders by the objects they name."""

    def target(ref: _Ref) -> Any:
        if ref.index > len(objects):
            raise StonParseError.at(text, ref.offset, f"reference @{ref.index} names no object")
        return objects[ref.index - 1]

    def resolve(v: Any) -> Any:
        if type(v) is _Ref:
            return target(v)
        if type(v) is not Association:
            return v
        chain = []  # association chains nest to the right; walk them without recursion
        while type(v) is Association:
            chain.append(v)
            v = v.value
        result = target(v) if type(v) is _Ref else v
        for assoc in reversed(chain):
            key = target(assoc.key) if type(assoc.key) is _Ref else assoc.key
            result = Association(key, result)
        return result

    for obj in objects:
        body = obj.value if type(obj) is StonObject else obj
        if type(body) is list:
            for i, each in enumerate(body):
                if type(each) is _Ref or type(each) is Association:
                    body[i] = resolve(each)
        elif type(body) is StonMap:
            body.pairs = [(resolve(k), resolve(v)) for k, v in body.pairs]
    return resolve(top)
