"""Timing of dumps/loads on a workspace-like graph (not a test; run it by hand).

    .venv/bin/python tests/storage/ston/bench_ston.py [bindings]

Builds a session-like graph of N bindings (default 1,000) of mixed values: numbers, floats,
strings, symbols, fractions, small arrays and maps, tagged user objects, shared values and a
cycle, and reports the STON size and the median and p99 of dumps, loads, load_bytes and the
full registry decode (text to domain values) over 200 runs.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from fractions import Fraction

from stui_trio.storage.ston import (
    ScaledDecimal,
    StonMap,
    StonObject,
    Symbol,
    dumps,
    isomorphic,
    load_bytes,
    loads,
    pharo_registry,
)


def workspace(n: int = 1000, seed: int = 1) -> StonObject:
    rnd = random.Random(seed)
    shared = [StonObject("Point", [1, 2]), [Symbol("shared"), 1.5]]
    cyclic: list = ["cycle"]
    cyclic.append(cyclic)
    bindings = StonMap()
    for i in range(n):
        k = rnd.randrange(10)
        if k == 0:
            v = rnd.randrange(-(10**9), 10**9)
        elif k == 1:
            v = rnd.random() * 1000
        elif k == 2:
            v = (
                f"a workspace string number {i}, it's quoted"
                if i % 7 == 0
                else f"some workspace text {i} " * 4
            )
        elif k == 3:
            v = Symbol(f"symbol{i}")
        elif k == 4:
            v = [1, 2, 3, "x", Symbol("y"), None, True]
        elif k == 5:
            v = StonObject("OrderedCollection", [i, i + 1, Fraction(1, 3), ScaledDecimal(1, 2)])
        elif k == 6:
            fields = [(Symbol("username"), f"user{i}@example.com"), (Symbol("enabled"), True)]
            v = StonObject("TestUser", StonMap(fields))
        elif k == 7:
            v = rnd.choice([*shared, cyclic])
        elif k == 8:
            v = StonMap([(Symbol("a"), i), ("b", None), (Symbol("c"), [i * 0.5])])
        else:
            v = StonObject("Point", [i, -i])
        bindings[Symbol(f"var{i}")] = v
    fields = [(Symbol("bindings"), bindings), (Symbol("shared"), shared)]
    return StonObject("Workspace", StonMap(fields))


def timed(fn, reps: int = 200) -> str:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return (
        f"median {statistics.median(samples):6.2f} ms   p99 {samples[int(reps * 0.99) - 1]:6.2f} ms"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    graph = workspace(n)
    text = dumps(graph)
    data = text.encode()
    assert isomorphic(loads(text), graph)
    registry = pharo_registry(unknown="keep")
    print(
        f"{n} bindings: {len(data) / 1024:.1f} KiB compact, "
        f"{len(dumps(graph, pretty=True).encode()) / 1024:.1f} KiB pretty"
    )
    print("dumps            ", timed(lambda: dumps(graph)))
    print("dumps pretty     ", timed(lambda: dumps(graph, pretty=True)))
    print("loads            ", timed(lambda: loads(text)))
    print("load_bytes       ", timed(lambda: load_bytes(data)))
    print("load_bytes+decode", timed(lambda: registry.decode(load_bytes(data))))


if __name__ == "__main__":
    main()
