"""The write-ahead journal: record framing, torn tails, replay, checkpoints, tombstones.

Real files in tmp dirs throughout; the production writer (``DurableWriter`` with a journal)
where the behaviour is the writer's.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import trio

from stui_trio.storage import DurableWriter, SessionFileStore
from stui_trio.storage.checkpoint import checkpoint_round, replay_journal
from stui_trio.storage.group_commit import Durability
from stui_trio.storage.journal import (
    DELETE,
    JOURNAL_DIR,
    SAVE,
    Journal,
    Record,
    decode_records,
    encode_record,
    segment_name,
)


def rec(client: str, n: int, payload: bytes | None = None) -> Record:
    return Record(SAVE, client, "s", n, payload if payload is not None else f"p{n}".encode())


def append_saves(journal: Journal, records: list[Record]) -> None:
    """What the writer does with a batch: append it under the lock, mark its sessions dirty."""
    with journal.lock:
        journal.append(records)
        journal.dirty.update((r.client_id, r.session_id) for r in records)


def segment_files(root: Path) -> list[Path]:
    return sorted((root / JOURNAL_DIR).glob("wal-*.log"))


def test_records_round_trip() -> None:
    records = [rec("a", 1), rec("b", 7, b""), Record(DELETE, "a", "s", 2), rec("ü", 3, b"\0" * 9)]
    data = b"".join(encode_record(r) for r in records)
    assert decode_records(data) == (records, len(data), None)


def test_torn_last_record_at_every_offset_keeps_the_prefix(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    append_saves(journal, [rec("a", 1), rec("b", 1)])
    append_saves(journal, [rec("a", 2, b"the last one" * 5)])
    journal.close()
    (path,) = segment_files(tmp_path)
    whole = path.read_bytes()
    last = len(encode_record(rec("a", 2, b"the last one" * 5)))
    prefix = len(whole) - last
    for cut in range(prefix, len(whole)):
        path.write_bytes(whole[:cut])
        (segment,) = Journal(tmp_path).replay_segments()
        assert [(r.client_id, r.generation) for r in segment.records] == [("a", 1), ("b", 1)]
        assert (segment.problem is None) == (cut == prefix), cut
        assert path.stat().st_size == prefix  # the torn tail is cut off...
        if cut > prefix:  # ...and kept in quarantine
            assert segment.quarantined is not None
            assert segment.quarantined.read_bytes() == whole[prefix:cut]
    path.write_bytes(whole)
    (segment,) = Journal(tmp_path).replay_segments()
    assert segment.problem is None and len(segment.records) == 3


def test_a_flipped_byte_stops_the_segment_there(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for n in range(1, 4):
        append_saves(journal, [rec("a", n)])
    journal.close()
    (path,) = segment_files(tmp_path)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))
    (segment,) = Journal(tmp_path).replay_segments()
    assert [r.generation for r in segment.records] == [1, 2]
    assert segment.problem == "record checksum mismatch"


def test_replay_of_an_earlier_boot_makes_session_files_current(tmp_path: Path) -> None:
    files = SessionFileStore(tmp_path)
    files.save("a", "s", b"p1")  # generation 1 on disk, fsynced
    old = Journal(tmp_path)
    old.boot_id = "before-the-power-cut"
    append_saves(old, [rec("a", 2), rec("b", 1)])
    append_saves(old, [rec("a", 3)])
    old.close()
    (tmp_path / "b").mkdir(exist_ok=True)  # b's file was lost entirely; a's never got gen 3

    files = SessionFileStore(tmp_path)
    report = replay_journal(files, Journal(tmp_path))
    assert (report.records, report.applied) == (3, 2)
    a, b = files.load("a", "s"), files.load("b", "s")
    assert a is not None and (a.payload, a.generation) == (b"p3", 3)
    assert b is not None and b.payload == b"p1"
    assert not segment_files(tmp_path)  # all records are in synced files now


def test_replay_rewrites_a_journaled_save_whose_file_was_damaged(tmp_path: Path) -> None:
    """Files are written by the checkpoint, after the journal: replay trusts only a file that
    verifies at the record's generation, and otherwise writes the record out."""
    files = SessionFileStore(tmp_path)
    for n in (1, 2):
        files.save("a", "s", f"p{n}".encode())
    journal = Journal(tmp_path)
    append_saves(journal, [rec("a", 2)])
    journal.close()
    current = tmp_path / "a" / "session_a_s.ston"
    current.write_bytes(current.read_bytes()[:-1])
    files = SessionFileStore(tmp_path)
    report = replay_journal(files, Journal(tmp_path))
    assert report.applied == 1
    loaded = files.load("a", "s")
    # the damaged file's header still claims generation 2, so the rewrite is numbered past it
    assert loaded is not None and (loaded.payload, loaded.generation) == (b"p2", 3)
    assert not loaded.recovered_from_backup


def test_replay_leaves_a_file_that_verifies_at_the_journaled_generation(tmp_path: Path) -> None:
    files = SessionFileStore(tmp_path)
    for n in (1, 2):
        files.save("a", "s", f"p{n}".encode())
    journal = Journal(tmp_path)
    append_saves(journal, [rec("a", 2)])
    journal.close()
    report = replay_journal(SessionFileStore(tmp_path), Journal(tmp_path))
    assert (report.records, report.applied) == (1, 0)


def test_a_tombstone_keeps_a_deleted_session_deleted(tmp_path: Path) -> None:
    files = SessionFileStore(tmp_path)
    journal = Journal(tmp_path)
    journal.boot_id = "earlier"
    files.journal = journal
    files.save("a", "s", b"p1")
    append_saves(journal, [rec("a", 1)])
    assert files.delete("a", "s")
    journal.close()
    files = SessionFileStore(tmp_path)
    report = replay_journal(files, Journal(tmp_path))
    assert report.applied == 0 and files.load("a", "s") is None


async def test_writer_acks_from_the_journal_and_checkpoints_drop_segments(
    tmp_path: Path,
) -> None:
    files = SessionFileStore(tmp_path)
    journal = Journal(tmp_path)
    files.journal = journal
    writer = DurableWriter(files, journal=journal, checkpoint_interval=3600)
    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as savers:
            for i in range(20):
                savers.start_soon(writer.save, f"c{i % 5}", "s", f"p{i}".encode())
        # acked: in the journal, readable (from memory), no file written yet
        assert segment_files(tmp_path) and journal.dirty
        assert not list(tmp_path.glob("c*/session_*"))
        for i in range(5):
            loaded = files.load(f"c{i}", "s")
            assert loaded is not None and loaded.payload.startswith(b"p")
            assert loaded.source == "journal"
        assert files.list_sessions("c0") == ["s"]
        first = [p.name for p in segment_files(tmp_path)]
        report = await trio.to_thread.run_sync(checkpoint_round, files, journal)
        assert report.failed == () and report.synced == 5
        assert not segment_files(tmp_path) and not journal.dirty
        await writer.save("c0", "s", b"after")
        assert [p.name for p in segment_files(tmp_path)] != first  # a new segment
        assert segment_files(tmp_path)[0].name == segment_name(journal.current)
        nursery.cancel_scope.cancel()
    assert not segment_files(tmp_path)  # a clean stop checkpoints what is left
    loaded = files.load("c0", "s")
    assert loaded is not None and loaded.payload == b"after"


async def test_relaxed_mode_does_not_use_the_journal(tmp_path: Path) -> None:
    files = SessionFileStore(tmp_path)
    journal = Journal(tmp_path)
    writer = DurableWriter(files, journal=journal, durability=Durability.RELAXED,
                           flush_interval=0.01)
    assert writer.journal is None
    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        await writer.save("a", "s", b"relaxed")
        await writer.flush()
        nursery.cancel_scope.cancel()
    assert not segment_files(tmp_path)
    loaded = files.load("a", "s")
    assert loaded is not None and loaded.payload == b"relaxed"


async def test_background_saves_yield_to_saves_a_client_waits_for(tmp_path: Path) -> None:
    """A periodic flush of many sessions must not hold up an acknowledgement: each batch
    takes the waited-for saves first, and at most ``max_batch`` saves."""
    files = SessionFileStore(tmp_path)
    journal = Journal(tmp_path)
    files.journal = journal
    writer = DurableWriter(files, journal=journal, max_batch=4, checkpoint_interval=3600)
    done: list[str] = []

    async def save(client: str, background: bool) -> None:
        await writer.save(client, "s", client.encode(), background=background)
        done.append(client)

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as savers:
            for i in range(10):
                savers.start_soon(save, f"b{i}", True)
            savers.start_soon(save, "urgent", False)
        await writer.flush()
        nursery.cancel_scope.cancel()
    assert done.index("urgent") < 4 and len(done) == 11  # in the first batch
    assert writer.stats.batches == 3  # 11 saves, at most 4 a batch
    for client in ("urgent", "b9"):
        loaded = files.load(client, "s")
        assert loaded is not None and loaded.payload == client.encode()


async def test_checkpoint_keeps_a_verified_cache_of_the_journal_form(tmp_path: Path) -> None:
    """The checkpoint renders the journal's form into the file and keeps the form itself
    beside it (``<file>.cache``); load offers it only while it matches the current file."""
    files = SessionFileStore(tmp_path)
    journal = Journal(tmp_path)
    files.journal = journal
    files.render = lambda payload: b"FILE:" + payload  # the session layer's JSON -> STON
    writer = DurableWriter(files, journal=journal, checkpoint_interval=3600)
    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        await writer.save("a", "s", b"form-1")
        nursery.cancel_scope.cancel()  # a clean stop checkpoints
    files = SessionFileStore(tmp_path)
    loaded = files.load("a", "s")
    assert loaded is not None and loaded.payload == b"FILE:form-1"
    assert loaded.derived == b"form-1"

    cache = tmp_path / "a" / "session_a_s.ston.cache"
    data = bytearray(cache.read_bytes())
    data[-1] ^= 0x01  # a torn or damaged cache is ignored, never quarantined
    cache.write_bytes(bytes(data))
    loaded = SessionFileStore(tmp_path).load("a", "s")
    assert loaded is not None and loaded.derived is None and loaded.payload == b"FILE:form-1"
    assert cache.exists() and loaded.problems == ()

    intact = f"len=6 crc={zlib.crc32(b'form-1')}\n".encode() + b"form-1"
    cache.write_bytes(b"#stui-cache gen=1 ston=" + b"0" * 64 + b" " + intact)
    assert SessionFileStore(tmp_path).load("a", "s").derived is None  # not this file's hash
    ston = hashlib.sha256(b"FILE:form-1").hexdigest().encode()
    cache.write_bytes(b"#stui-cache gen=1 ston=" + ston + b" " + intact)
    assert SessionFileStore(tmp_path).load("a", "s").derived == b"form-1"

    store = SessionFileStore(tmp_path)
    store.save("a", "s", b"written directly")  # a newer file: the old cache no longer fits
    loaded = store.load("a", "s")
    assert loaded is not None and loaded.derived is None
    assert store.delete("a", "s") and not cache.exists()
