"""The image change log: append, replay, torn tails at every offset, damage mid-log, compact."""

from __future__ import annotations

from pathlib import Path

import trio

from stui_trio.storage import ChangeLog
from stui_trio.storage.change_log_writer import ChangeLogWriter
from stui_trio.storage.image_changes import FILE_HEADER, parse_entries

PAYLOADS = [
    b"StuiClassDefinition{#name:#Point3D,#superclass:#Object,#ivars:['x','y','z']}",
    b"StuiMethodCompilation{#class:#Point3D,#selector:#x,#source:'x ^x'}",
    b"StuiMethodRemoval{#class:#Point3D,#selector:#y}",
    b"StuiMethodCompilation{#class:#Point3D,#selector:#z,#source:'z\n  ^z'}",
]


def make_log(path: Path) -> ChangeLog:
    log = ChangeLog.open(path)
    assert [log.append(p) for p in PAYLOADS[:2]] == [1, 2]
    assert log.append_many(PAYLOADS[2:]) == [3, 4]
    return log


def quarantine(path: Path) -> list[Path]:
    folder = path.parent / "quarantine"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_append_and_replay(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    make_log(path)
    log = ChangeLog.open(path)
    assert log.repair is None
    assert list(log.replay()) == PAYLOADS
    assert [e.seq for e in log.entries()] == [1, 2, 3, 4]
    assert log.append(b"more") == 5
    assert list(ChangeLog.open(path).replay()) == [*PAYLOADS, b"more"]


def test_torn_last_entry_at_every_offset(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    make_log(path)
    whole = path.read_bytes()
    last = list(ChangeLog.open(path).entries())[-1].offset
    for cut in range(last, len(whole)):
        path.write_bytes(whole[:cut])
        log = ChangeLog.open(path)
        assert list(log.replay()) == PAYLOADS[:3], cut
        assert path.read_bytes() == whole[:last]
        if cut == last:
            assert log.repair is None
        else:
            assert log.repair is not None and log.repair.offset == last
            assert log.repair.dropped_bytes == cut - last and log.repair.kept_entries == 3
            assert log.repair.quarantined_to.read_bytes() == whole[last:cut]
            assert "kept 3 entries" in log.repair.describe()
        assert log.append(b"after repair") == 4
    assert len(quarantine(path)) == len(whole) - last - 1


def test_flipped_byte_in_middle_entry_keeps_the_prefix(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    make_log(path)
    whole = path.read_bytes()
    entries = list(ChangeLog.open(path).entries())
    second = entries[1].offset
    damaged = bytearray(whole)
    damaged[entries[1].offset + 90] ^= 0x20  # inside entry 2's payload
    path.write_bytes(bytes(damaged))
    log = ChangeLog.open(path)
    assert list(log.replay()) == PAYLOADS[:1]
    assert log.repair.offset == second and "checksum" in log.repair.reason
    assert log.repair.quarantined_to.read_bytes() == bytes(damaged[second:])
    assert log.next_seq == 2


def test_damaged_file_header_and_garbage(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    make_log(path)
    path.write_bytes(b"\xff\xfegarbage" + path.read_bytes())
    log = ChangeLog.open(path)
    assert list(log.replay()) == []
    assert log.repair.offset == 0 and path.read_bytes() == FILE_HEADER
    assert log.append(b"x") == 1
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    log = ChangeLog.open(empty)
    assert log.repair is None or log.repair.dropped_bytes == 0
    assert list(log.replay()) == []


def test_sequence_gap_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    make_log(path)
    data = path.read_bytes().replace(b"#chg seq=3 ", b"#chg seq=9 ")
    entries, offset, reason = parse_entries(data)
    assert len(entries) == 2 and "sequence" in reason
    assert offset == data.index(b"#chg seq=9 ")


def test_compact_rewrites_atomically_and_numbering_continues(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    log = make_log(path)
    assert log.compact([PAYLOADS[0], PAYLOADS[3]]) == [5, 6]
    assert [e.seq for e in log.entries()] == [5, 6]
    assert log.append(b"next") == 7
    reopened = ChangeLog.open(path)
    assert list(reopened.replay()) == [PAYLOADS[0], PAYLOADS[3], b"next"]
    assert reopened.next_seq == 8
    assert [p.name for p in tmp_path.iterdir()] == ["changes.log"]


async def test_change_log_writer_groups_appends(tmp_path: Path) -> None:
    path = tmp_path / "changes.log"
    log = ChangeLog.open(path)
    writer = ChangeLogWriter(log, window=0.01)
    got: dict[int, int] = {}

    async def define(n: int) -> None:
        got[n] = await writer.append(f"change {n}".encode())
        # acknowledged means on disk: a read-only reader sees it (a torn in-flight tail of
        # the next batch may follow; parse_entries stops before it)
        entries, _, _ = parse_entries(path.read_bytes())
        assert f"change {n}".encode() in [e.payload for e in entries]

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        async with trio.open_nursery() as inner:
            for n in range(30):
                inner.start_soon(define, n)
        nursery.cancel_scope.cancel()
    assert sorted(got.values()) == list(range(1, 31))
    assert writer.batches < 30
    payloads = list(ChangeLog.open(path).replay())
    assert sorted(payloads) == sorted(f"change {n}".encode() for n in range(30))
    assert all(payloads[got[n] - 1] == f"change {n}".encode() for n in range(30))
