"""The benchmark workloads: (name, Smalltalk setup methods, Smalltalk doit, Python twin)."""

from __future__ import annotations

import io
from collections.abc import Callable

import attrs

FIB_N = 27
N = 100_000


@attrs.frozen
class Workload:
    name: str
    doit: str
    native: Callable[[], object]
    methods: tuple[tuple[str, str], ...] = ()  # (class name, method source)


def fib_sends(n: int) -> int:
    """Sends made by the Smalltalk benchFib for n: per call `benchFib` and `<`; per non-leaf
    call also `-`, `-`, `+`."""
    calls = {0: 1, 1: 1}
    for i in range(2, n + 1):
        calls[i] = 1 + calls[i - 1] + calls[i - 2]
    c = calls[n]
    return 2 * c + 3 * ((c - 1) // 2)


def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def _sieve() -> int:
    n = 200_000
    flags = [True] * n
    count = 0
    for i in range(2, n + 1):
        if flags[i - 1]:
            count += 1
            for k in range(i + i, n + 1, i):
                flags[k - 1] = False
    return count


def _pipeline() -> int:
    arr = list(range(1, N + 1))
    doubled = [x * 2 for x in arr]
    kept = [x for x in doubled if x % 3 == 0]
    total = 0
    for x in kept:
        total = total + x
    return total


def _stream() -> int:
    out = io.StringIO()
    for i in range(1, N + 1):
        out.write(str(i))
        out.write(" ")
    return len(out.getvalue())


def _dict() -> int:
    d = {}
    for i in range(1, N + 1):
        d[i] = i * 2
    total = 0
    for i in range(1, N + 1):
        total = total + d[i]
    return total


WORKLOADS = (
    Workload(f"fib({FIB_N})", f"{FIB_N} benchFib", lambda: _fib(FIB_N),
             (("Integer", "benchFib\n\t^ self < 2\n\t\tifTrue: [self]\n\t\tifFalse: "
                          "[(self - 1) benchFib + (self - 2) benchFib]"),)),
    Workload("sieve(200k)",
             "| n flags count | n := 200000. flags := Array new: n withAll: true. count := 0.\n"
             "2 to: n do: [:i | (flags at: i) ifTrue: [count := count + 1.\n"
             "  i + i to: n by: i do: [:k | flags at: k put: false]]].\ncount", _sieve),
    Workload("collect/select/inject 100k",
             "| arr | arr := (1 to: 100000) asArray.\n"
             "((arr collect: [:x | x * 2]) select: [:x | x \\\\ 3 = 0])\n"
             "  inject: 0 into: [:a :b | a + b]", _pipeline),
    Workload("WriteStream 100k",
             "| ws | ws := WriteStream on: String new.\n"
             "1 to: 100000 do: [:i | ws nextPutAll: i printString; nextPut: $ ].\n"
             "ws contents size", _stream),
    Workload("Dictionary at:put:/at: 100k",
             "| d sum | d := Dictionary new.\n1 to: 100000 do: [:i | d at: i put: i * 2].\n"
             "sum := 0. 1 to: 100000 do: [:i | sum := sum + (d at: i)]. sum", _dict),
)
