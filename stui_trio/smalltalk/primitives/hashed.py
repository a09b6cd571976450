"""Hashed-collection primitives: Dictionary, Set and Bag (and their identity variants).

Each keeps a Python dict in its first slot. Keys are hashed with Smalltalk's #hash and compared
with #= (`STObject.__hash__`/`__eq__` send them); IdentityDictionary and IdentitySet wrap their
keys in `IdKey`, which hashes and compares by identity. A Set maps its elements to True, a Bag
its elements to their counts. Growth is bounded by `EngineLimits.max_collection_size`.
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk.primitives.collections import one_arg, two_arg
from stui_trio.smalltalk.runtime.control import PrimitiveFailed
from stui_trio.smalltalk.runtime.objects import Character, STObject


def register(image: Any, prims: dict, limits: Any) -> None:
    err = image.error
    send = image.send
    max_size = limits.max_collection_size

    def fn1(blk: Any) -> Any:
        return one_arg(send, blk)

    def fn2(blk: Any) -> Any:
        return two_arg(send, blk)

    def ideq(a: Any, b: Any) -> bool:
        return image.G["_ideq"](a, b)

    class IdKey:
        """A key of an IdentityDictionary/IdentitySet: hashed and compared by identity."""

        __slots__ = ("o",)

        def __init__(self, o: Any) -> None:
            self.o = o

        def __hash__(self) -> int:
            o = self.o
            return hash(o) if type(o) in (int, float, Character) else id(o)

        def __eq__(self, other: object) -> bool:
            return type(other) is IdKey and (other.o is self.o or ideq(other.o, self.o))

    def is_identity(c: Any) -> bool:
        flag = c.cls.mc.get("__identity__")
        if flag is None:
            g = image.globals
            flag = c.cls.inherits_from(g["IdentityDictionary"]) or \
                c.cls.inherits_from(g["IdentitySet"])
            c.cls.mc["__identity__"] = flag
        return flag

    def key(c: Any, k: Any) -> Any:
        return IdKey(k) if is_identity(c) else k

    def unkey(k: Any) -> Any:
        return k.o if type(k) is IdKey else k

    def d(c: Any) -> dict:
        t = c.slots[0] if type(c) is STObject and c.slots else None
        if type(t) is not dict:
            raise PrimitiveFailed
        return t

    def dict_at_put(c: Any, k: Any, v: Any) -> Any:
        table = d(c)
        if len(table) >= max_size:
            return err("Error", "collection too large")
        table[key(c, k)] = v
        return v

    def dict_at_if_absent(c: Any, k: Any, blk: Any) -> Any:
        table = d(c)
        try:
            return table[key(c, k)]
        except KeyError:
            return send(blk, "value")

    def dict_at(c: Any, k: Any) -> Any:
        table = d(c)
        try:
            return table[key(c, k)]
        except KeyError:
            exc = image.new_exception("KeyNotFound", f"key {send(k, 'printString').s} not found "
                                                     f"in {image.class_of(c).name}")
            send(exc, "key:", k)
            return send(exc, "signal")

    def dict_remove_key(c: Any, k: Any, blk: Any) -> Any:
        table = d(c)
        k = key(c, k)
        if k in table:
            return table.pop(k)
        return send(blk, "value")

    def dict_keys_values_do(c: Any, blk: Any) -> Any:
        f = fn2(blk)
        for k, v in list(d(c).items()):
            f(unkey(k), v)
        return c

    def dict_key_at_value(c: Any, v: Any, blk: Any) -> Any:
        for k, x in d(c).items():
            if x is v or send(x, "=", v) is True:
                return unkey(k)
        return send(blk, "value")

    def set_add(c: Any, v: Any) -> Any:
        if v is None:
            return v
        table = d(c)
        if len(table) >= max_size:
            return err("Error", "collection too large")
        table[key(c, v)] = True
        return v

    def set_remove(c: Any, v: Any, blk: Any) -> Any:
        table = d(c)
        if key(c, v) in table:
            del table[key(c, v)]
            return v
        return send(blk, "value")

    def set_do(c: Any, blk: Any) -> Any:
        f = fn1(blk)
        for k in list(d(c)):
            f(unkey(k))
        return c

    def bag_add(c: Any, v: Any, n: Any) -> Any:
        table = d(c)
        table[v] = table.get(v, 0) + n
        return v

    def bag_do(c: Any, blk: Any) -> Any:
        f = fn1(blk)
        for k, n in list(d(c).items()):
            for _ in range(n):
                f(k)
        return c

    def bag_remove(c: Any, v: Any, blk: Any) -> Any:
        table = d(c)
        if v not in table:
            return send(blk, "value")
        table[v] -= 1
        if table[v] <= 0:
            del table[v]
        return v

    prims.update({
        "dict.new": lambda c: {}, "dict.atPut": dict_at_put, "dict.at": dict_at,
        "dict.atIfAbsent": dict_at_if_absent, "dict.removeKey": dict_remove_key,
        "dict.includesKey": lambda c, k: key(c, k) in d(c), "dict.size": lambda c: len(d(c)),
        "dict.keys": lambda c: [unkey(k) for k in d(c)],
        "dict.values": lambda c: list(d(c).values()),
        "dict.keysAndValuesDo": dict_keys_values_do, "dict.keyAtValue": dict_key_at_value,
        "set.add": set_add, "set.remove": set_remove, "set.do": set_do,
        "set.includes": lambda c, v: key(c, v) in d(c),
        "bag.add": bag_add, "bag.do": bag_do, "bag.remove": bag_remove,
        "bag.occurrencesOf": lambda c, v: d(c).get(v, 0),
        "bag.size": lambda c: sum(d(c).values()),
    })
