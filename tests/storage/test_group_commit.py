"""DurableWriter: shared fsync rounds, acks only after data is on disk, merging, errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import trio

from stui_trio.storage import (
    Durability,
    DurableWriter,
    FileSystemOps,
    SessionFileStore,
    StorageQuotaExceeded,
    WriterClosed,
)
from stui_trio.storage.framing import decode_frame


class CountingOps(FileSystemOps):
    """Counts fsyncs of files and folders; optionally makes file fsyncs slow."""

    def __init__(self, fsync_delay: float = 0.0) -> None:
        self.fsyncs = 0
        self.dir_fsyncs = 0
        self.fsync_delay = fsync_delay

    def fsync(self, fd: int) -> None:
        self.fsyncs += 1
        if self.fsync_delay:
            time.sleep(self.fsync_delay)
        super().fsync(fd)

    def fsync_dir(self, path: Path) -> None:
        self.dir_fsyncs += 1
        super().fsync_dir(path)


def on_disk(root: Path, client: str, session: str):  # type: ignore[no-untyped-def]
    return decode_frame((root / client / f"session_{client}_{session}.ston").read_bytes())


async def test_many_concurrent_saves_share_fsync_rounds(tmp_path: Path) -> None:
    ops = CountingOps()
    store = SessionFileStore(tmp_path, keep_backups=1, fs=ops)
    writer = DurableWriter(store, window=0.005)
    acked = 0

    async def submitter(n: int) -> None:
        nonlocal acked
        for i in range(6):
            payload = f"client {n} save {i}".encode() * 20
            result = await writer.save(f"c{n % 5}", f"s{n}", payload)
            # the ack callback: the data must already be on disk
            frame = on_disk(tmp_path, f"c{n % 5}", f"s{n}")
            assert (frame.generation, frame.payload) == (result.generation, payload)
            assert result.generation == i + 1
            acked += 1

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as submitters:
            for n in range(40):
                submitters.start_soon(submitter, n)
        nursery.cancel_scope.cancel()
    assert acked == 240
    stats = writer.stats
    assert stats.files_written == 240 and stats.submitted == 240
    assert stats.batches < 240 / 4, stats
    setup_dir_fsyncs = 1 + 5  # the root and five new client folders
    assert ops.dir_fsyncs - setup_dir_fsyncs <= stats.batches * 5  # once per folder per batch
    assert ops.fsyncs == 240  # one per file, never more


async def test_superseded_save_is_written_once_and_both_acked(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path)
    writer = DurableWriter(store, window=0.05)
    results = {}

    async def save(tag: str, payload: bytes) -> None:
        results[tag] = await writer.save("c", "s", payload)
        assert on_disk(tmp_path, "c", "s").payload == b"newest"

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as savers:
            savers.start_soon(save, "old", b"older")
            await trio.sleep(0.001)
            savers.start_soon(save, "new", b"newest")
        nursery.cancel_scope.cancel()
    assert results["old"] == results["new"] and results["new"].generation == 1
    assert writer.stats.merged == 1 and writer.stats.files_written == 1


async def test_errors_reach_their_waiter_only(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, quota_bytes=500)
    writer = DurableWriter(store, window=0.02)
    outcome = {}

    async def save(client: str, size: int) -> None:
        try:
            outcome[client] = await writer.save(client, "s", b"x" * size)
        except StorageQuotaExceeded as exc:
            outcome[client] = exc

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as savers:
            savers.start_soon(save, "small", 100)
            savers.start_soon(save, "huge", 5000)
        nursery.cancel_scope.cancel()
    assert isinstance(outcome["huge"], StorageQuotaExceeded)
    assert outcome["small"].generation == 1
    assert writer.stats.batches == 1 and writer.failed_saves == 1


async def test_event_loop_keeps_running_during_slow_fsync(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, fs=CountingOps(fsync_delay=0.2))
    writer = DurableWriter(store)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await trio.sleep(0.01)
            ticks += 1

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        nursery.start_soon(ticker)
        await writer.save("c", "s", b"slow")
        nursery.cancel_scope.cancel()
    assert ticks >= 5


async def test_relaxed_mode_acks_early_and_flush_makes_durable(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path)
    writer = DurableWriter(store, durability=Durability.RELAXED, flush_interval=0.05)
    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        assert await writer.save("c", "s", b"one") is None
        assert await writer.save("c", "s", b"two") is None
        assert not (tmp_path / "c").exists()  # acknowledged, not yet on disk
        await writer.flush()
        assert on_disk(tmp_path, "c", "s").payload == b"two"
        assert await writer.save("c", "s", b"three") is None
        nursery.cancel_scope.cancel()
    # shutdown writes what was still queued
    assert on_disk(tmp_path, "c", "s").payload == b"three"


async def test_writer_not_running(tmp_path: Path) -> None:
    writer = DurableWriter(SessionFileStore(tmp_path))
    with pytest.raises(WriterClosed):
        await writer.save("c", "s", b"x")
