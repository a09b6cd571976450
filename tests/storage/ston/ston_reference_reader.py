"""Reference copy of the STON reader as it was before the speed work (issue 6), kept for
tests only: `test_reader_differential.py` checks that `stui_trio.storage.ston.reader` gives the
same values (up to identity) and the same errors (message, offset, line, column) on generated
documents, valid and broken. Do not import it from the package; do not "fix" it.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from stui_trio.storage.ston.errors import StonParseError
from stui_trio.storage.ston.model import Association, ScaledDecimal, StonMap, StonObject, Symbol
from stui_trio.storage.ston.numbers import MAX_EXACT_EXPONENT, parse_int
from stui_trio.storage.ston.strings import StringSyntaxError, read_escaped

DEFAULT_MAX_DEPTH = 10_000

_WS = re.compile(r"[ \t\r\n\f]*")
_NUMBER = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:/(0|[1-9][0-9]*)(?:s([0-9]+))?|(\.[0-9]+)?(?:[eE]([-+]?[0-9]+))?)"
)
_SQ = re.compile(r"'([^'\\]*)'")
_DQ = re.compile(r'"([^"\\]*)"')
# "#name" or "#'quoted, no escapes'" in one match; quoted symbols with escapes take the slow path
_SYMBOL = re.compile(r"#(?:((?:[^\W\d]|[0-9./\-])+)|'([^'\\]*)')")
_TAG = re.compile(r"[^\W\d_]\w*")
_REF = re.compile(r"@([1-9][0-9]*)")

_TOP, _LIST, _MAP_KEY, _MAP_VALUE, _ASSOC = 0, 1, 2, 3, 4
_WS_CHARS = frozenset(" \t\r\n\f")
_NUMBER_START = frozenset("-0123456789")
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


def _fail(text: str, pos: int, message: str) -> StonParseError:
    if pos >= len(text):
        message += ", found end of input"
    else:
        message += f", found {text[pos]!r}"
    return StonParseError.at(text, pos, message)


def _number(text: str, m: re.Match[str]) -> Any:
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
    enclosing ones are saved on `stack`. Kept as one flat function because every call and
    attribute lookup per token shows in the timings."""
    n = len(text)
    ws = _WS.match
    wsset = _WS_CHARS
    sq = _SQ.match
    number_re = _NUMBER.match
    symbol_re = _SYMBOL.match
    objects: list[Any] = []
    symbols: dict[str, Symbol] = {}
    forward = False
    stack: list[tuple[int, Any, Any, Any, int]] = []
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
            m = sq(text, pos)
            if m:
                value = m.group(1)
                pos = m.end()
            else:
                value, pos = read_escaped(text, pos + 1, c)
        elif c == "#":
            m = symbol_re(text, pos)
            if m is not None:
                name = m.group(1)
                if name is None:
                    name = m.group(2)
                pos = m.end()
            elif text.startswith("'", pos + 1):
                name, pos = read_escaped(text, pos + 2, "'")
            else:
                raise _fail(text, pos + 1, "expected a symbol name or a quoted symbol after #")
            value = symbols.get(name)
            if value is None:
                value = symbols[name] = Symbol(name)
        elif c in _NUMBER_START:
            m = number_re(text, pos)
            if m is None:
                raise _fail(text, pos, "expected a number")
            last = m.lastindex
            end = m.end()
            if last is None and end - pos < 4000:
                value = int(m.group())
            elif last == 3:  # digits.digits, the common float
                value = float(m.group())
            else:
                value = _number(text, m)
            pos = end
        elif c == "[" or c == "{" or c.isupper():
            tag = None
            if c != "[" and c != "{":
                m = _TAG.match(text, pos)
                if m is None or not c.isalpha():
                    raise _fail(text, pos, "expected a value")
                tag = m.group()
                pos = ws(text, m.end()).end()
                c = text[pos : pos + 1]
                if c != "[" and c != "{":
                    raise _fail(text, pos, f"expected '[' or '{{' after the tag {tag}")
            if len(stack) >= max_depth:
                raise StonParseError.at(text, pos, f"nesting deeper than max_depth={max_depth}")
            new_slot = len(objects)
            if c == "[":
                container: Any = []
                new_kind = _LIST
                closer = "]"
            else:
                container = StonMap()
                new_kind = _MAP_KEY
                closer = "}"
            if tag is None:
                new_result: Any = container
            else:
                new_result = _tagged(text, pos, tag, new_kind, container)
            objects.append(new_result)
            pos += 1
            if pos < n and text[pos] in wsset:
                pos = ws(text, pos).end()
            if text.startswith(closer, pos):
                pos += 1
                value = new_result
                if value is _PENDING:
                    value = objects[new_slot] = _close_float(text, container, pos)
            else:
                stack.append((kind, cont, key, result, slot))
                kind, cont, key, result, slot = new_kind, container, None, new_result, new_slot
                continue
        elif c == "@":
            m = _REF.match(text, pos)
            if m is None:
                raise _fail(text, pos + 1, "expected a reference number (1 or more) after @")
            index = int(m.group(1))
            if index <= len(objects) and objects[index - 1] is not _PENDING:
                value = objects[index - 1]
            else:
                value = _Ref(index, pos)
                forward = True
            pos = m.end()
        elif c == '"':
            m = _DQ.match(text, pos)
            if m:
                value = m.group(1)
                pos = m.end()
            else:
                value, pos = read_escaped(text, pos + 1, c)
        elif text.startswith("nil", pos):
            value, pos = None, pos + 3
        elif text.startswith("true", pos):
            value, pos = True, pos + 4
        elif text.startswith("false", pos):
            value, pos = False, pos + 5
        elif text.startswith("null", pos):
            value, pos = None, pos + 4
        else:
            raise _fail(text, pos, "expected a value")

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
                        raise _fail(text, pos, "expected ':' after a map key")
                    kind = _MAP_VALUE
                    key = value
                    pos += 1
                    break
                if c == ":":
                    if len(stack) >= max_depth:
                        raise StonParseError.at(
                            text, pos, f"nesting deeper than max_depth={max_depth}"
                        )
                    stack.append((kind, cont, key, result, slot))
                    kind, key = _ASSOC, value
                    pos += 1
                    break
            if kind == _LIST:
                cont.append(value)
                closer = "]"
            elif kind == _MAP_VALUE:
                cont.pairs.append((key, value))
                kind = _MAP_KEY
                closer = "}"
            elif kind == _ASSOC:
                value = Association(key, value)
                kind, cont, key, result, slot = stack.pop()
                simple = False
                continue
            else:  # top level
                if pos != n:
                    raise _fail(text, pos, "expected end of input after the value")
                if forward:
                    value = _resolve_all(text, objects, value)
                return value
            if c == ",":
                pos += 1
                break
            if c != closer:
                raise _fail(text, pos, f"expected ',' or '{closer}'")
            pos += 1
            value = result
            if value is _PENDING:
                value = objects[slot] = _close_float(text, cont, pos)
            kind, cont, key, result, slot = stack.pop()
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
