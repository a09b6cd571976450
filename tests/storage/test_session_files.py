"""SessionFileStore on real files: save/load, backups, housekeeping, quota, names, concurrency."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import trio

from stui_trio.storage import (
    AsyncSessionStore,
    InvalidName,
    SessionFileStore,
    StorageQuotaExceeded,
)
from stui_trio.storage.framing import decode_frame


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_save_then_load_returns_newest(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, keep_backups=2)
    results = [store.save("alice", "s1", f"state {i}".encode()) for i in range(4)]
    assert [r.generation for r in results] == [1, 2, 3, 4]
    loaded = store.load("alice", "s1")
    assert loaded is not None
    assert (loaded.payload, loaded.generation) == (b"state 3", 4)
    assert not loaded.recovered_from_backup and loaded.problems == ()
    folder = tmp_path / "alice"
    assert files(folder) == [
        "session_alice_s1.ston",
        "session_alice_s1.ston.1",
        "session_alice_s1.ston.2",
    ]
    gens = [decode_frame((folder / n).read_bytes()).generation for n in files(folder)]
    assert gens == [4, 3, 2]
    assert results[-1].bytes_written == (folder / "session_alice_s1.ston").stat().st_size


def test_missing_session_is_none_and_generation_survives_restart(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path)
    assert store.load("bob", "nothing") is None
    store.save("bob", "s", b"one")
    store.save("bob", "s", b"two")
    again = SessionFileStore(tmp_path)
    assert again.save("bob", "s", b"three").generation == 3


def test_zero_backups(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, keep_backups=0)
    for i in range(3):
        store.save("c", "s", b"%d" % i)
    assert files(tmp_path / "c") == ["session_c_s.ston"]


def test_delete_and_listing(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path)
    store.save("c1", "a", b"x")
    store.save("c1", "b_with_underscore", b"y")
    store.save("c1", "b_with_underscore", b"y2")
    store.save("c2", "z", b"z")
    assert store.list_clients() == ["c1", "c2"]
    assert store.list_sessions("c1") == ["a", "b_with_underscore"]
    assert store.delete("c1", "b_with_underscore") is True
    assert store.delete("c1", "b_with_underscore") is False
    assert store.list_sessions("c1") == ["a"]
    assert store.load("c1", "b_with_underscore") is None
    assert store.list_sessions("nobody") == []


@pytest.mark.parametrize("bad", ["", ".", "..", "../x", "a/b", ".hidden", "x" * 65, "é", "a b"])
def test_invalid_ids_are_rejected(tmp_path: Path, bad: str) -> None:
    store = SessionFileStore(tmp_path)
    with pytest.raises(InvalidName):
        store.save(bad, "s", b"x")
    with pytest.raises(InvalidName):
        store.save("c", bad, b"x")
    with pytest.raises(InvalidName):
        store.load(bad, "s")
    assert list(tmp_path.iterdir()) == []


def test_symlinked_client_folder_is_rejected(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    store = SessionFileStore(root)
    (root / "evil").symlink_to(outside)
    with pytest.raises(InvalidName):
        store.save("evil", "s", b"x")
    assert list(outside.iterdir()) == []


def test_stale_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path)
    store.save("c", "s", b"good")
    stale = tmp_path / "c" / ".session_c_s.ston.tmp-99999-abcdef"
    stale.write_bytes(b"half a file")
    again = SessionFileStore(tmp_path)
    assert again.removed_temp_files == [stale.name]
    assert not stale.exists()
    assert again.load("c", "s").payload == b"good"


def test_quota(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, keep_backups=1, quota_bytes=2000)
    store.save("c", "s", b"a" * 500)
    store.save("c", "s", b"b" * 500)  # .1 is a hard link of the old current: no extra space
    used = store.disk_usage("c")
    assert 1000 < used < 1300
    with pytest.raises(StorageQuotaExceeded) as info:
        store.save("c", "t", b"c" * 1500)
    assert "c" in str(info.value) and "2000" in str(info.value)
    assert store.load("c", "t") is None
    assert store.load("c", "s").payload == b"b" * 500


def test_quota_counts_writes_between_walks_and_walks_before_refusing(tmp_path: Path) -> None:
    # The usage counted at the first save grows by every byte written (never shrinks), so
    # rewriting one session many times pushes the count past the quota while the folder
    # itself stays small: the save that would be refused walks the folder first, and passes.
    store = SessionFileStore(tmp_path, keep_backups=1, quota_bytes=5000)
    for i in range(40):
        store.save("c", "s", bytes([65 + i % 26]) * 800)
    assert store.disk_usage("c") < 2000
    assert store.load("c", "s").payload == bytes([65 + 39 % 26]) * 800
    # Files written since the last walk count at once: a second session that would pass
    # the count of the last walk alone is refused.
    store.save("c", "t", b"t" * 1500)
    with pytest.raises(StorageQuotaExceeded):
        store.save("c", "u", b"u" * 2500)
    assert store.load("c", "u") is None


def test_remove_older_than(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = SessionFileStore(tmp_path, clock=lambda: now[0])
    store.save("old", "s", b"x")
    store.save("new", "s", b"y")
    for p in (tmp_path / "old").iterdir():
        os.utime(p, (now[0] - 7200, now[0] - 7200))
    for p in (tmp_path / "new").iterdir():
        os.utime(p, (now[0] - 10, now[0] - 10))
    removed = store.remove_older_than(3600)
    assert [p.name for p in removed] == ["session_old_s.ston"]
    assert store.list_clients() == ["new"]
    assert store.load("new", "s").payload == b"y"


def test_thread_saves_serialize_and_generations_increase(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, keep_backups=2)
    seen: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(20):
            gen = store.save("c", "s", f"{n}:{i}".encode()).generation
            with lock:
                seen.append(gen)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(1, 81))
    loaded = store.load("c", "s")
    assert loaded.generation == 80
    assert not [n for n in os.listdir(tmp_path / "c") if ".tmp-" in n]


async def test_async_facade_concurrent_saves(tmp_path: Path) -> None:
    store = AsyncSessionStore(SessionFileStore(tmp_path))
    gens: list[int] = []
    last: dict[int, bytes] = {}

    async def saver(n: int) -> None:
        for i in range(5):
            payload = f"task {n} step {i}".encode()
            gens.append((await store.save("c", "s", payload)).generation)
            last[gens[-1]] = payload

    async with trio.open_nursery() as nursery:
        for n in range(8):
            nursery.start_soon(saver, n)
    assert sorted(gens) == list(range(1, 41))
    loaded = await store.load("c", "s")
    assert loaded.generation == 40 and loaded.payload == last[40]
    assert await store.list_sessions("c") == ["s"]
    assert await store.delete("c", "s")


def test_sweeper_removes_old_quarantine_files(tmp_path: Path) -> None:
    import time

    store = SessionFileStore(tmp_path)
    store.save("c", "s", b"one")
    store.save("c", "s", b"two")
    (tmp_path / "c" / "session_c_s.ston").write_bytes(b"damaged")
    assert store.load("c", "s").recovered_from_backup
    assert len(list((tmp_path / "c" / "quarantine").iterdir())) == 1
    assert store.remove_older_than(3600) == []  # everything is fresh
    later = SessionFileStore(tmp_path, clock=lambda: time.time() + 7200)
    removed = later.remove_older_than(3600)
    assert len(removed) == 2 and not (tmp_path / "c").exists()


def test_format_migration_on_load(tmp_path: Path) -> None:
    from stui_trio.storage import Migrations
    from stui_trio.storage.framing import encode_frame

    store = SessionFileStore(tmp_path)
    store.save("c", "s", b"v1 first")
    store.save("c", "s", b"v1 payload")
    upgraded = SessionFileStore(
        tmp_path, migrations=Migrations({1: lambda p: p.replace(b"v1", b"v2")}, current=2)
    )
    loaded = upgraded.load("c", "s")
    assert loaded.payload == b"v2 payload" and loaded.problems == ()
    # a file from a newer format is reported and left alone, never quarantined
    (tmp_path / "c" / "session_c_s.ston").write_bytes(encode_frame(b"future", 5, version=3))
    loaded = SessionFileStore(tmp_path).load("c", "s")
    assert loaded.payload == b"v1 first" and "newer than this server" in loaded.problems[0]
    assert (tmp_path / "c" / "session_c_s.ston").exists()
    assert SessionFileStore(tmp_path).save("c", "s", b"x").generation == 6  # never reused
