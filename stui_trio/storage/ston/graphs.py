"""Structural comparison of two value graphs, sharing and cycles included.

`isomorphic(a, b)` answers whether two graphs are the same up to object identity: equal
primitives at the same places, and a one-to-one correspondence between the lists, maps and
tagged objects of `a` and those of `b` (so two references to one list in `a` must be two
references to one list in `b`, and a cycle must be a cycle). Used by the round-trip tests and
by the session store to check that what it reads back is what it wrote. Iterative, so deep
graphs are fine. Floats compare by bits (NaN equals NaN, -0.0 differs from 0.0).
"""

from __future__ import annotations

import math
from typing import Any

from stui_trio.storage.ston.model import Association, StonMap, StonObject

_NODES = (list, StonMap, StonObject, dict)


def _same_primitive(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is float:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


def explain_difference(a: Any, b: Any) -> str | None:
    """None when `a` and `b` are isomorphic graphs, else a short path to the first difference."""
    forward: dict[int, int] = {}
    backward: dict[int, int] = {}
    keep: list[Any] = []  # keeps dict item lists alive while their ids are in use
    stack: list[tuple[Any, Any, str]] = [(a, b, "$")]
    while stack:
        x, y, path = stack.pop()
        tx = type(x)
        if tx is Association:
            if type(y) is not Association:
                return f"{path}: association vs {type(y).__name__}"
            stack.append((x.value, y.value, path + ".value"))
            stack.append((x.key, y.key, path + ".key"))
            continue
        if tx in _NODES or (tx is float and not math.isfinite(x) and type(y) is float):
            if type(y) is not tx:
                return f"{path}: {tx.__name__} vs {type(y).__name__}"
            seen = forward.get(id(x))
            if seen is not None:
                if seen != id(y):
                    return f"{path}: sharing differs (same object on one side, not the other)"
                continue
            if id(y) in backward:
                return f"{path}: sharing differs (object already matched elsewhere)"
            forward[id(x)] = id(y)
            backward[id(y)] = id(x)
            if tx is float:
                if not _same_primitive(x, y):
                    return f"{path}: {x!r} vs {y!r}"
                continue
            if tx is StonObject:
                if x.tag != y.tag:
                    return f"{path}: tag {x.tag} vs {y.tag}"
                stack.append((x.value, y.value, f"{path}<{x.tag}>"))
                continue
            if tx is list:
                if len(x) != len(y):
                    return f"{path}: list of {len(x)} vs {len(y)}"
                stack.extend((x[i], y[i], f"{path}[{i}]") for i in range(len(x)))
                continue
            xp = x.pairs if tx is StonMap else list(x.items())
            yp = y.pairs if tx is StonMap else list(y.items())
            keep.append((xp, yp))
            if len(xp) != len(yp):
                return f"{path}: map of {len(xp)} vs {len(yp)} pairs"
            for i, ((xk, xv), (yk, yv)) in enumerate(zip(xp, yp, strict=True)):
                stack.append((xv, yv, f"{path}{{{i}}}.value"))
                stack.append((xk, yk, f"{path}{{{i}}}.key"))
            continue
        if not _same_primitive(x, y):
            return f"{path}: {x!r:.60} vs {y!r:.60}"
    return None


def isomorphic(a: Any, b: Any) -> bool:
    """True when `a` and `b` are the same graph up to object identity (see module doc)."""
    return explain_difference(a, b) is None
