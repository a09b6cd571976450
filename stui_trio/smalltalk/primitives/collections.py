"""Collection primitives: Array (Python list; literal arrays are tuples, hence read-only),
OrderedCollection (a list in its first slot) and the WriteStream buffer. Dictionary, Set and
Bag are in `hashed.py`, which shares the block-calling helpers `one_arg`/`two_arg` below.

Iteration primitives (`do:`, `collect:`, `select:`, `inject:into:`, `detect:ifNone:`) call the
block's Python function directly when the argument is a real block (its entry polls the
interrupt flag, so long loops stay interruptible) and send `value:` otherwise (e.g. a Symbol).
Growth is bounded by `EngineLimits.max_collection_size`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stui_trio.smalltalk.runtime.control import PrimitiveFailed
from stui_trio.smalltalk.runtime.objects import Block, Character, STObject, STString, Symbol


def one_arg(send: Callable[..., Any], blk: Any) -> Callable[[Any], Any]:
    """What to call per element: a real one-argument block's own function, else `value:`."""
    if type(blk) is Block and blk.nargs == 1:
        return blk.fn
    return lambda x: send(blk, "value:", x)


def two_arg(send: Callable[..., Any], blk: Any) -> Callable[[Any, Any], Any]:
    """As `one_arg`, for two-argument blocks (`inject:into:`, `keysAndValuesDo:`)."""
    if type(blk) is Block and blk.nargs == 2:
        return blk.fn
    return lambda x, y: send(blk, "value:value:", x, y)


def register(image: Any, prims: dict, limits: Any) -> None:
    err = image.error
    send = image.send
    max_size = limits.max_collection_size

    def items(c: Any) -> list | tuple:
        t = type(c)
        if t is list or t is tuple or t is bytearray or t is bytes:
            return c
        if t is STObject and c.slots and type(c.slots[0]) is list:
            return c.slots[0]
        raise PrimitiveFailed

    def fn1(blk: Any) -> Callable[[Any], Any]:
        return one_arg(send, blk)

    def fn2(blk: Any) -> Callable[[Any, Any], Any]:
        return two_arg(send, blk)

    def oob(i: Any, c: Any = None) -> Any:
        where = ""
        if c is not None:
            printed = send(c, "printString").s
            where = " in " + (printed if len(printed) <= 200 else printed[:200] + "...")
        return err("SubscriptOutOfBounds", f"{send(i, 'printString').s}{where}")

    def at(c: Any, i: Any) -> Any:
        xs = items(c)
        if type(i) is not int:
            if type(i) is float and i == int(i):
                i = int(i)
            else:
                return err("Error", "Index must be an Integer")
        if 1 <= i <= len(xs):
            return xs[i - 1]
        return oob(i, c)

    def at_put(c: Any, i: Any, v: Any) -> Any:
        xs = items(c)
        if type(xs) is tuple or type(xs) is bytes:
            return err("ModificationForbidden", "Modification forbidden: literal is read-only")
        if type(xs) is bytearray and (type(v) is not int or not 0 <= v <= 255):
            return err("Error", "Improper store into indexable object")
        if type(i) is not int:
            return err("Error", "Index must be an Integer")
        if 1 <= i <= len(xs):
            xs[i - 1] = v
            return v
        return oob(i, c)

    def do(c: Any, blk: Any) -> Any:
        f = fn1(blk)
        for x in items(c):
            f(x)
        return c

    def reverse_do(c: Any, blk: Any) -> Any:
        f = fn1(blk)
        for x in reversed(items(c)):
            f(x)
        return c

    def with_index_do(c: Any, blk: Any) -> Any:
        f = fn2(blk)
        for i, x in enumerate(items(c)):
            f(x, i + 1)
        return c

    def collect(c: Any, blk: Any) -> list:
        f = fn1(blk)
        return [f(x) for x in items(c)]

    def select(c: Any, blk: Any) -> list:
        f = fn1(blk)
        out = []
        for x in items(c):
            r = f(x)
            if r is True:
                out.append(x)
            elif r is not False:
                return image.G["_mb"](r)
        return out

    def reject(c: Any, blk: Any) -> list:
        f = fn1(blk)
        out = []
        for x in items(c):
            r = f(x)
            if r is False:
                out.append(x)
            elif r is not True:
                return image.G["_mb"](r)
        return out

    def inject(c: Any, acc: Any, blk: Any) -> Any:
        f = fn2(blk)
        for x in items(c):
            acc = f(acc, x)
        return acc

    def detect(c: Any, blk: Any, none: Any) -> Any:
        f = fn1(blk)
        for x in items(c):
            if f(x) is True:
                return x
        return send(none, "value")

    def includes(c: Any, v: Any) -> bool:
        return any(x is v or send(x, "=", v) is True for x in items(c))

    def index_of(c: Any, v: Any) -> int:
        for i, x in enumerate(items(c)):
            if x is v or send(x, "=", v) is True:
                return i + 1
        return 0

    def copy_from_to(c: Any, a: Any, b: Any) -> list:
        xs = items(c)
        if type(a) is not int or type(b) is not int:
            raise PrimitiveFailed
        if b < a:
            return []
        if a < 1 or b > len(xs):
            return oob(a if a < 1 else b)
        return list(xs[a - 1:b])

    def concat(c: Any, other: Any) -> list:
        ys = other if type(other) in (list, tuple) else items_or_seq(other)
        if len(items(c)) + len(ys) > max_size:
            return err("Error", "collection too large")
        return list(items(c)) + list(ys)

    def items_or_seq(o: Any) -> list:
        if type(o) is STString:
            return [Character(ord(ch)) for ch in o.s]
        return list(items(o))

    def sort(c: Any, blk: Any = None) -> Any:
        xs = items(c)
        if type(xs) is tuple:
            return err("ModificationForbidden", "Modification forbidden: literal is read-only")
        f = fn2(blk) if blk is not None else (lambda a, b: send(a, "<=", b))
        xs[:] = _merge_sort(list(xs), f)
        return c

    def oc_add(c: STObject, v: Any) -> Any:
        xs = c.slots[0]
        if len(xs) >= max_size:
            return err("Error", "collection too large")
        xs.append(v)
        return v

    def oc_add_first(c: STObject, v: Any) -> Any:
        c.slots[0].insert(0, v)
        return v

    def oc_remove_first(c: STObject) -> Any:
        xs = c.slots[0]
        if not xs:
            return err("CollectionIsEmpty", f"{send(c, 'printString').s} is empty")
        return xs.pop(0)

    def oc_remove_last(c: STObject) -> Any:
        xs = c.slots[0]
        if not xs:
            return err("CollectionIsEmpty", f"{send(c, 'printString').s} is empty")
        return xs.pop()

    def oc_remove_index(c: STObject, i: Any) -> Any:
        xs = c.slots[0]
        if type(i) is not int or not 1 <= i <= len(xs):
            return oob(i)
        return xs.pop(i - 1)

    def oc_insert(c: STObject, v: Any, i: int) -> Any:
        c.slots[0].insert(i - 1, v)
        return v

    # ---- write stream buffer (list of STString/Character or elements) -------------------
    def ws_contents(buf: list, string_mode: bool) -> Any:
        if string_mode:
            return STString("".join(p.s if type(p) is STString or type(p) is Symbol
                                    else chr(p.code) for p in buf))
        return list(buf)

    def ws_next_put_all(s: STObject, coll: Any) -> Any:
        buf = s.slots[1]
        if s.slots[2] is True:
            if type(coll) is STString or type(coll) is Symbol:
                buf.append(STString(coll.s))
            else:
                raise PrimitiveFailed
        else:
            buf.extend(items_or_seq(coll))
        return coll

    def ws_next_put(s: STObject, v: Any) -> Any:
        if s.slots[2] is True and type(v) is not Character:
            return err("Error", "A String stream accepts only Characters")
        s.slots[1].append(v)
        return v

    prims.update({
        "seq.size": lambda c: len(items(c)), "seq.at": at, "seq.atPut": at_put, "seq.do": do,
        "seq.reverseDo": reverse_do, "seq.withIndexDo": with_index_do,
        "seq.collect": collect, "seq.select": select, "seq.reject": reject,
        "seq.inject": inject, "seq.detect": detect, "seq.includes": includes,
        "seq.indexOf": index_of, "seq.copyFromTo": copy_from_to, "seq.concat": concat,
        "seq.reversed": lambda c: list(reversed(items(c))), "seq.sort": sort,
        "seq.asArray": lambda c: list(items(c)),
        "seq.isLiteralArray": lambda c: type(c) is tuple,
        "oc.add": oc_add, "oc.addFirst": oc_add_first, "oc.removeFirst": oc_remove_first,
        "oc.removeLast": oc_remove_last, "oc.removeIndex": oc_remove_index,
        "oc.insert": oc_insert, "oc.newItems": lambda c: [],
        "ws.contents": lambda s: ws_contents(s.slots[1], s.slots[2] is True),
        "ws.nextPutAll": ws_next_put_all, "ws.nextPut": ws_next_put,
        "ws.reset": lambda s: s.slots[1].clear(),
        "ws.size": lambda s: len(ws_contents(s.slots[1], True).s) if s.slots[2] is True
        else len(s.slots[1]),
    })


def _merge_sort(xs: list, le: Any) -> list:
    """A stable merge sort calling the Smalltalk sort block (a <= b answers true)."""
    if len(xs) <= 1:
        return xs
    width = 1
    n = len(xs)
    src = xs
    while width < n:
        out = []
        for lo in range(0, n, 2 * width):
            a = src[lo:lo + width]
            b = src[lo + width:lo + 2 * width]
            i = j = 0
            while i < len(a) and j < len(b):
                if le(a[i], b[j]) is True:
                    out.append(a[i])
                    i += 1
                else:
                    out.append(b[j])
                    j += 1
            out.extend(a[i:])
            out.extend(b[j:])
        src = out
        width *= 2
    return src

