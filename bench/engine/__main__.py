"""`python -m bench.engine [--repeat N]`: run the engine benchmarks and print the table."""

from __future__ import annotations

import argparse
import time

from bench.engine.workloads import FIB_N, WORKLOADS, fib_sends
from stui_trio.smalltalk import Image


def best_of(fn, repeat: int) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    image = Image.boot()
    print(f"boot: {image.boot_seconds * 1000:.0f} ms ({image.kernel_methods} kernel methods)")
    ws = image.new_workspace()
    rows = []
    for w in WORKLOADS:
        for class_name, source in w.methods:
            image.install_method(image.globals[class_name], source, "benchmarks")
        def run(w=w):
            outcome = image.evaluate(ws, w.doit)
            if not outcome.ok:
                raise SystemExit(f"{w.name}: {outcome.error_class} {outcome.message_text}")
            return outcome.value
        st_time, st_value = best_of(run, args.repeat)
        py_time, py_value = best_of(w.native, args.repeat)
        if st_value != py_value:
            raise SystemExit(f"{w.name}: engine answered {st_value}, Python {py_value}")
        rows.append((w.name, st_time, py_time))
    print(f"{'benchmark':<30} {'engine ms':>10} {'python ms':>10} {'ratio':>7}")
    for name, st, py in rows:
        print(f"{name:<30} {st * 1000:>10.1f} {py * 1000:>10.1f} {st / py:>6.1f}x")
    fib_time = rows[0][1]
    print(f"fib({FIB_N}): {fib_sends(FIB_N) / fib_time / 1e6:.1f} M sends/s "
          f"({fib_sends(FIB_N)} sends)")


if __name__ == "__main__":
    main()
