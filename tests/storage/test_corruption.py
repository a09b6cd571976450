"""Recipe b: damaged session files are detected, quarantined, reported; backups take over."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from stui_trio.storage import SessionFileStore
from stui_trio.storage.framing import encode_frame

CURRENT = "session_c_s.ston"


def make_store(root: Path, generations: int = 3) -> SessionFileStore:
    store = SessionFileStore(root, keep_backups=2)
    for gen in range(1, generations + 1):
        store.save("c", "s", payload(gen))
    return store


def payload(gen: int) -> bytes:
    return (f"state {gen} ".encode() * 800)[:8000]


def quarantined(root: Path) -> list[Path]:
    folder = root / "c" / "quarantine"
    return sorted(folder.iterdir()) if folder.exists() else []


def damage_truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def damage_flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def damage_zero_block(data: bytes, rng: random.Random) -> bytes:
    start = len(data) // 2 - 2048
    return data[:start] + bytes(4096) + data[start + 4096 :]


def damage_garbage(data: bytes, rng: random.Random) -> bytes:
    return data + rng.randbytes(100)


def damage_empty(data: bytes, rng: random.Random) -> bytes:
    return b""


def damage_bad_header(data: bytes, rng: random.Random) -> bytes:
    return b"\xff\xfe\xfd invalid utf-8 header\n" + data[100:]


DAMAGES: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": damage_truncate,
    "flip": damage_flip,
    "zero_block": damage_zero_block,
    "garbage": damage_garbage,
    "empty": damage_empty,
    "bad_header": damage_bad_header,
}


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_damaged_current_falls_back_to_newest_backup(tmp_path: Path, kind: str) -> None:
    rng = random.Random(kind)
    make_store(tmp_path)
    path = tmp_path / "c" / CURRENT
    original = path.read_bytes()
    damaged = DAMAGES[kind](original, rng)
    assert damaged != original
    path.write_bytes(damaged)
    loaded = SessionFileStore(tmp_path, keep_backups=2).load("c", "s")
    assert loaded is not None
    assert (loaded.payload, loaded.generation) == (payload(2), 2)
    assert loaded.recovered_from_backup and loaded.source == CURRENT + ".1"
    assert len(loaded.problems) == 1 and "quarantine/" in loaded.problems[0]
    [evidence] = quarantined(tmp_path)
    assert evidence.name.startswith(CURRENT + ".corrupt-") and evidence.read_bytes() == damaged
    assert not path.exists()


def test_truncation_at_many_offsets(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    path = tmp_path / "c" / CURRENT
    original = path.read_bytes()
    offsets = sorted(set(range(0, 200)) | set(range(0, len(original), 97)))
    for n, cut in enumerate(offsets):
        path.write_bytes(original[:cut])
        loaded = store.load("c", "s")
        assert loaded.generation == 2 and loaded.payload == payload(2), cut
        assert len(quarantined(tmp_path)) == n + 1
    # a verified file is never quarantined
    path.write_bytes(original)
    assert store.load("c", "s").problems == ()


def test_lost_generation_is_reported_when_header_survives(tmp_path: Path) -> None:
    make_store(tmp_path)
    path = tmp_path / "c" / CURRENT
    path.write_bytes(path.read_bytes()[:-10])
    loaded = SessionFileStore(tmp_path).load("c", "s")
    assert loaded.lost_generations == (3,)
    assert "truncated" in loaded.problems[0]
    # the next save continues after the lost generation, never reusing its number
    assert SessionFileStore(tmp_path).save("c", "s", b"next").generation == 4


def test_missing_current_with_backups(tmp_path: Path) -> None:
    make_store(tmp_path)
    (tmp_path / "c" / CURRENT).unlink()
    loaded = SessionFileStore(tmp_path).load("c", "s")
    assert (loaded.payload, loaded.generation) == (payload(2), 2)
    assert loaded.recovered_from_backup
    assert "missing" in loaded.problems[0]


def test_backup_newer_than_current_wins(tmp_path: Path) -> None:
    make_store(tmp_path)
    folder = tmp_path / "c"
    (folder / CURRENT).write_bytes(encode_frame(b"old", 1))
    (folder / (CURRENT + ".1")).write_bytes(encode_frame(b"newer", 9))
    loaded = SessionFileStore(tmp_path).load("c", "s")
    assert (loaded.payload, loaded.generation, loaded.recovered_from_backup) == (
        b"newer", 9, True,
    )
    assert "newer than the current" in loaded.problems[0]
    assert quarantined(tmp_path) == []
    assert SessionFileStore(tmp_path).save("c", "s", b"x").generation == 10


def test_all_bad_starts_empty_and_reports_everything(tmp_path: Path) -> None:
    make_store(tmp_path)
    folder = tmp_path / "c"
    names = [CURRENT, CURRENT + ".1", CURRENT + ".2"]
    for name in names:
        (folder / name).write_bytes(b"\x00" * 50)
    loaded = SessionFileStore(tmp_path, keep_backups=2).load("c", "s")
    assert loaded is not None and loaded.payload is None and loaded.generation == 0
    assert loaded.recovered_from_backup
    assert len(loaded.problems) == 3
    assert sorted(p.name.split(".corrupt-")[0] for p in quarantined(tmp_path)) == names
    assert all(p.read_bytes() == b"\x00" * 50 for p in quarantined(tmp_path))
    # the session can be saved again afterwards
    assert SessionFileStore(tmp_path).save("c", "s", b"fresh").generation == 1


def test_directory_in_place_of_current_file(tmp_path: Path) -> None:
    make_store(tmp_path)
    path = tmp_path / "c" / CURRENT
    path.unlink()
    path.mkdir()
    loaded = SessionFileStore(tmp_path).load("c", "s")
    assert loaded.payload == payload(2)
    assert "unreadable" in loaded.problems[0]


def test_damage_found_while_saving_is_reported_at_next_load(tmp_path: Path) -> None:
    make_store(tmp_path)
    path = tmp_path / "c" / CURRENT
    path.write_bytes(b"garbage")
    store = SessionFileStore(tmp_path, keep_backups=2)
    store.save("c", "s", b"new")  # cold start: verifies the files before rotating them
    loaded = store.load("c", "s")
    assert loaded.payload == b"new" and not loaded.recovered_from_backup
    assert any("quarantine" in p for p in loaded.problems)
    # the good backup was not pushed out by the garbage file
    assert (tmp_path / "c" / (CURRENT + ".2")).read_bytes() == encode_frame(payload(2), 2)
    assert os.listdir(tmp_path / "c" / "quarantine")


def test_oversized_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    make_store(tmp_path)
    loaded = SessionFileStore(tmp_path, max_file_bytes=1000).load("c", "s")
    assert loaded.payload is None and len(loaded.problems) == 3
    assert all("limit" in p for p in loaded.problems)
    assert quarantined(tmp_path) == []
    assert SessionFileStore(tmp_path).load("c", "s").payload == payload(3)
