"""Storage micro-benchmark (not a test; timings do not belong in tests).

Run: ``.venv/bin/python tests/storage/bench_storage.py [--dir DIR]``

* save latency: 200 saves of a 64 KiB payload with the full recipe (temp file, fsync,
  backup rotation with K=3, rename, folder fsync), median and p99;
* load latency: verifying load of that session (current + 3 backups read and checked);
* group commit: 50 concurrent submitters (one client folder each, 4 KiB payloads) saving
  through one DurableWriter for 3 s; acknowledged (durable) saves per second.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import trio

from stui_trio.storage import DurableWriter, SessionFileStore


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_save_load(root: Path) -> None:
    store = SessionFileStore(root / "latency", keep_backups=3)
    payload = bytes(range(256)) * 256  # 64 KiB
    saves = []
    for _ in range(200):
        start = time.perf_counter()
        store.save("bench", "s", payload)
        saves.append((time.perf_counter() - start) * 1000)
    loads = []
    for _ in range(200):
        start = time.perf_counter()
        store.load("bench", "s")
        loads.append((time.perf_counter() - start) * 1000)
    print(f"save 64 KiB (full recipe, K=3): median {statistics.median(saves):.2f} ms, "
          f"p99 {percentile(saves, 0.99):.2f} ms")
    print(f"load 64 KiB (verify 4 files):   median {statistics.median(loads):.2f} ms, "
          f"p99 {percentile(loads, 0.99):.2f} ms")


async def bench_group_commit(root: Path, submitters: int = 50, seconds: float = 3.0) -> None:
    store = SessionFileStore(root / "group", keep_backups=3)
    writer = DurableWriter(store, window=0.002)
    acked = 0
    payload = b"x" * 4096
    deadline = trio.current_time() + seconds

    async def submitter(n: int) -> None:
        nonlocal acked
        while trio.current_time() < deadline:
            await writer.save(f"client{n}", "s", payload)
            acked += 1

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        start = time.perf_counter()
        async with trio.open_nursery() as inner:
            for n in range(submitters):
                inner.start_soon(submitter, n)
        elapsed = time.perf_counter() - start
        nursery.cancel_scope.cancel()
    stats = writer.stats
    print(f"group commit, {submitters} submitters, 4 KiB: {acked / elapsed:.0f} acked saves/s "
          f"({stats.batches} batches, {acked / max(stats.batches, 1):.1f} saves per batch)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, help="folder on the file system to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        bench_save_load(Path(tmp))
        trio.run(bench_group_commit, Path(tmp))


if __name__ == "__main__":
    main()
