"""String, Symbol and Character primitives.

Strings are `STString` (mutable; literals read-only), Symbols are interned `Symbol`s, and
Characters are `Character` code points. Printing follows Pharo: `'it''s'`, `#foo`, `#'a b'`,
`$a`, `Character space`.
"""

from __future__ import annotations

import re
from typing import Any

from stui_trio.smalltalk.ast import LiteralNode
from stui_trio.smalltalk.parser import parse_expression
from stui_trio.smalltalk.runtime.control import PrimitiveFailed
from stui_trio.smalltalk.runtime.objects import Block, Character, STString, Symbol

CHAR_NAMES = {0: "null", 8: "backspace", 9: "tab", 10: "lf", 12: "newPage", 13: "cr",
              27: "escape", 32: "space", 127: "delete"}
_BINARY = set("+-*/\\<>=~@%|&?!,")


def symbol_print(s: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s) or \
            re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*:)+", s) or \
            (s and all(c in _BINARY for c in s)):
        return "#" + s
    return "#'" + s.replace("'", "''") + "'"


def register(image: Any, prims: dict, limits: Any) -> None:
    err = image.error
    send = image.send

    def text(x: Any) -> str:
        t = type(x)
        if t is STString or t is Symbol:
            return x.s
        raise PrimitiveFailed

    def at(s: Any, i: Any) -> Any:
        st = text(s)
        if type(i) is int and 1 <= i <= len(st):
            return Character(ord(st[i - 1]))
        return err("SubscriptOutOfBounds", f"{send(i, 'printString').s} in "
                                           f"{send(s, 'printString').s[:200]}")

    def at_put(s: Any, i: Any, c: Any) -> Any:
        if type(s) is not STString or s.ro:
            return err("ModificationForbidden", "Modification forbidden: literal is read-only")
        if type(c) is not Character:
            return err("Error", "Improper store into indexable object")
        if type(i) is int and 1 <= i <= len(s.s):
            s.s = s.s[:i - 1] + chr(c.code) + s.s[i:]
            return c
        return err("SubscriptOutOfBounds", f"Index out of bounds: {i}")

    def concat(a: Any, b: Any) -> STString:
        if type(b) is not STString and type(b) is not Symbol:
            if type(b) in (list, tuple) and all(type(x) is Character for x in b):
                return STString(text(a) + "".join(chr(x.code) for x in b))
            raise PrimitiveFailed
        if len(a.s) + len(b.s) > limits.max_string_size:
            return err("Error", "String too large")
        return STString(a.s + b.s)

    def str_eq(a: Any, b: Any) -> bool:
        if type(a) is Symbol and type(b) is Symbol:
            return a is b
        return (type(b) is STString or type(b) is Symbol) and a.s == b.s

    def compare(op):
        def prim(a: Any, b: Any) -> bool:
            return op(text(a), text(b))
        return prim

    def new_string(cls: Any, n: Any) -> STString:
        if type(n) is not int or n < 0:
            raise PrimitiveFailed
        if n > limits.max_string_size:
            return err("Error", f"String new: {n} exceeds the allocation limit "
                                f"({limits.max_string_size})")
        return STString(" " * n)

    def copy_from_to(s: Any, a: Any, b: Any) -> STString:
        st = text(s)
        if type(a) is not int or type(b) is not int:
            raise PrimitiveFailed
        if b < a:
            return STString("")
        if a < 1 or b > len(st):
            return err("SubscriptOutOfBounds", f"Index out of bounds: {a if a < 1 else b}")
        return STString(st[a - 1:b])

    def index_of(s: Any, c: Any) -> int:
        if type(c) is not Character:
            return 0
        return text(s).find(chr(c.code)) + 1

    def do(s: Any, blk: Any) -> Any:
        f = blk.fn if type(blk) is Block and blk.nargs == 1 else \
            (lambda x: send(blk, "value:", x))
        for ch in text(s):
            f(Character(ord(ch)))
        return s

    def as_number(s: Any) -> Any:
        st = text(s).strip()
        try:
            node = parse_expression(st)
            if isinstance(node, LiteralNode) and type(node.value) in (int, float):
                return node.value
            if type(node).__name__ == "MessageNode" and node.selector == "negated":
                raise ValueError
        except Exception:
            pass
        m = re.match(r"-?\d+(\.\d+)?([eE]-?\d+)?", st)
        if not m:
            return None
        v = m.group(0)
        return float(v) if ("." in v or "e" in v.lower()) else int(v)

    def substrings(s: Any, seps: Any = None) -> list:
        st = text(s)
        if seps is None:
            return [STString(p) for p in st.split()]
        chars = text(seps) if type(seps) in (STString, Symbol) else chr(seps.code)
        return [STString(p) for p in re.split("[" + re.escape(chars) + "]+", st) if p]

    def replace_all(s: Any, old: Any, new: Any) -> STString:
        return STString(text(s).replace(text(old), text(new)))

    def join(sep: Any, coll: Any) -> STString:
        parts = coll if type(coll) in (list, tuple) else send(coll, "asArray")
        return STString(text(sep).join(send(p, "asString").s for p in parts))

    def char_print(c: Character) -> STString:
        if c.code in CHAR_NAMES:
            return STString("Character " + CHAR_NAMES[c.code])
        if c.code < 32 or 127 <= c.code < 160:
            return STString(f"Character value: {c.code}")
        return STString("$" + chr(c.code))

    def char_value(cls: Any, n: Any) -> Character:
        if type(n) is not int or not 0 <= n <= 0x10FFFF:
            raise PrimitiveFailed
        return Character(n)

    def ch(c: Character) -> str:
        return chr(c.code)

    def format_(s: Any, args: Any) -> STString:
        st = text(s)
        vals = args if type(args) in (list, tuple) else None

        def rep(m: re.Match) -> str:
            key = m.group(1)
            if vals is not None and key.isdigit() and 1 <= int(key) <= len(vals):
                return send(vals[int(key) - 1], "asString").s
            return m.group(0)
        return STString(re.sub(r"\{(\w+)\}", rep, st))

    def match(pattern: Any, s: Any) -> bool:
        # Pharo's String>>match:: `*` any sequence, `#` any one character, case-insensitive
        rx = "".join(".*" if c == "*" else "." if c == "#" else re.escape(c)
                     for c in text(pattern))
        return re.fullmatch(rx, text(s), re.IGNORECASE | re.DOTALL) is not None

    prims.update({
        "str.match": match,
        "str.size": lambda s: len(text(s)), "str.at": at, "str.atPut": at_put,
        "str.concat": concat, "str.eq": str_eq, "str.hash": lambda s: hash(text(s)) & 0xFFFFFFF,
        "str.lt": compare(lambda a, b: a < b), "str.gt": compare(lambda a, b: a > b),
        "str.le": compare(lambda a, b: a <= b), "str.ge": compare(lambda a, b: a >= b),
        "str.asSymbol": lambda s: image.intern(text(s)),
        "str.asString": lambda s: STString(text(s)),
        "str.asUppercase": lambda s: STString(text(s).upper()),
        "str.asLowercase": lambda s: STString(text(s).lower()),
        "str.reversed": lambda s: STString(text(s)[::-1]),
        "str.copyFromTo": copy_from_to, "str.indexOf": index_of, "str.do": do,
        "str.includesSubstring": lambda s, t: text(t) in text(s),
        "str.beginsWith": lambda s, t: text(s).startswith(text(t)),
        "str.endsWith": lambda s, t: text(s).endswith(text(t)),
        "str.replaceAll": replace_all, "str.asNumber": as_number,
        "str.substrings": substrings, "str.trim": lambda s: STString(text(s).strip()),
        "str.print": lambda s: STString("'" + text(s).replace("'", "''") + "'"),
        "str.new": new_string, "str.join": join, "str.format": format_,
        "str.lines": lambda s: [STString(x) for x in text(s).splitlines()],
        "str.occurrencesOf": lambda s, c: text(s).count(ch(c)) if type(c) is Character else 0,
        "str.asArray": lambda s: [Character(ord(x)) for x in text(s)],
        "str.fromChars": lambda cls, xs: STString("".join(ch(x) for x in xs)),
        "str.isRO": lambda s: type(s) is not STString or s.ro,
        "sym.print": lambda s: STString(symbol_print(text(s))),
        "sym.numArgs": lambda s: (text(s).count(":") if text(s)[-1:] == ":" else
                                  1 if all(c in _BINARY for c in text(s)) else 0),
        "char.value": lambda c: c.code, "char.fromValue": char_value, "char.print": char_print,
        "char.isVowel": lambda c: ch(c).lower() in "aeiou",
        "char.isLetter": lambda c: ch(c).isalpha(), "char.isDigit": lambda c: ch(c).isdigit(),
        "char.isUppercase": lambda c: ch(c).isupper(),
        "char.isLowercase": lambda c: ch(c).islower(),
        "char.isSeparator": lambda c: ch(c) in " \t\r\n\f",
        "char.asUppercase": lambda c: Character(ord(ch(c).upper()[0])),
        "char.asLowercase": lambda c: Character(ord(ch(c).lower()[0])),
        "char.asString": lambda c: STString(ch(c)),
        "char.digitValue": lambda c: int(ch(c), 36) if ch(c).isalnum() else -1,
    })
