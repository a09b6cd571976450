"""Recipes c and d: disk-full (EFBIG under RLIMIT_FSIZE in a child) and EIO at every call.

The EIO tests replace the storage layer's OS seam with one that raises ``OSError(EIO)`` at
call number k, for every k until a save runs through without reaching the fault. Each time:
the save reports failure, the previous version is intact (or, when only the final folder
fsync failed, the new one is in place but was not acknowledged), no temp file is left, and a
later save works.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import attrs

from stui_trio.storage import ChangeLog, FileSystemOps, SaveFailed, SessionFileStore

PROCS = Path(__file__).parent / "procs"
_SEAM = [
    name for name in vars(FileSystemOps) if not name.startswith("_")
]


@attrs.define
class FaultyOps(FileSystemOps):
    """Raises EIO at seam call number ``fail_at`` (counting every call once armed)."""

    fail_at: int
    armed: bool = False
    calls: int = 0
    fired_on: str | None = None

    def __getattribute__(self, name: str):  # type: ignore[no-untyped-def]
        attr = object.__getattribute__(self, name)
        if name not in _SEAM or not object.__getattribute__(self, "armed"):
            return attr

        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            n = self.calls
            self.calls += 1
            if n == self.fail_at:
                self.fired_on = name
                raise OSError(errno.EIO, f"injected EIO in {name}")
            return attr(*args, **kwargs)

        return call


def temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if ".tmp-" in n] if folder.exists() else []


def test_eio_at_every_call_of_a_save(tmp_path: Path) -> None:
    base = tmp_path / "base"
    seed = SessionFileStore(base, keep_backups=2)
    seed.save("c", "s", b"A" * 3000)
    seed.save("c", "s", b"B" * 3000)
    failures = 0
    for k in range(500):
        root = tmp_path / f"k{k}"
        shutil.copytree(base, root)
        ops = FaultyOps(fail_at=k)
        store = SessionFileStore(root, keep_backups=2, fs=ops)
        ops.armed = True
        try:
            store.save("c", "s", b"C" * 3000)
            ok = True
        except SaveFailed as exc:
            ok = False
            failures += 1
            assert exc.errno == errno.EIO
        ops.armed = False
        assert temps(root / "c") == [], (k, ops.fired_on)
        loaded = SessionFileStore(root, keep_backups=2).load("c", "s")
        if ok:
            assert (loaded.payload, loaded.generation) == (b"C" * 3000, 3), k
        elif loaded.generation == 3:  # renamed, but the folder fsync failed: not acked
            assert ops.fired_on == "fsync_dir" and loaded.payload == b"C" * 3000
        else:
            assert (loaded.payload, loaded.generation) == (b"B" * 3000, 2), (k, ops.fired_on)
        assert loaded.problems == () or not ok, (k, loaded.problems)
        later = SessionFileStore(root, keep_backups=2)
        assert later.save("c", "s", b"D").generation == loaded.generation + 1
        assert later.load("c", "s").payload == b"D"
        if ops.fired_on is None:
            assert ok
            break
    else:
        raise AssertionError("a save never completed without reaching the fault")
    print("save seam calls:", k, "failures:", failures)
    assert failures >= 8  # every write/fsync/rename step was exercised


def test_eio_at_every_call_of_a_change_log_append(tmp_path: Path) -> None:
    base = tmp_path / "base" / "changes.log"
    log = ChangeLog.open(base)
    log.append_many([b"one", b"two"])
    for k in range(100):
        path = tmp_path / f"k{k}" / "changes.log"
        shutil.copytree(base.parent, path.parent)
        ops = FaultyOps(fail_at=k)
        log = ChangeLog.open(path, fs=ops)
        ops.armed = True
        try:
            seqs = log.append_many([b"three", b"four"])
            ok = True
        except SaveFailed:
            ok = False
        ops.armed = False
        reopened = ChangeLog.open(path)
        assert reopened.repair is None, k  # a failed append never leaves a torn entry
        expected = [b"one", b"two", b"three", b"four"] if ok else [b"one", b"two"]
        assert list(reopened.replay()) == expected, (k, ops.fired_on)
        assert reopened.append(b"five") == len(expected) + 1
        if ops.fired_on is None:
            assert ok and seqs == [3, 4]
            break
    else:
        raise AssertionError("an append never completed without reaching the fault")


def test_disk_full_efbig_in_child(tmp_path: Path) -> None:
    SessionFileStore(tmp_path).save("c", "s", b"old state")
    proc = subprocess.run(
        [sys.executable, str(PROCS / "efbig.py"), str(tmp_path), "4096"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["big_save"] == "failed" and report["errno_is_efbig"], report
    assert report["after_fail_payload"] == "old state"
    assert report["temps_after_fail"] == []
    assert report["next_generation"] == 2
    loaded = SessionFileStore(tmp_path).load("c", "s")
    assert loaded.generation == 2 and loaded.payload == b"C" * 16384
    assert temps(tmp_path / "c") == []


def test_path_errors_are_save_failures(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path)
    (tmp_path / "c").write_bytes(b"a file where the client folder should be")
    try:
        store.save("c", "s", b"x")
    except SaveFailed as exc:
        assert exc.errno in (errno.ENOTDIR, errno.EEXIST), exc
    else:
        raise AssertionError("saving under a regular file succeeded")
    store.save("d", "s", b"first")
    (tmp_path / "d" / "session_d_s.ston.1").mkdir()  # a folder where a backup should go
    try:
        store.save("d", "s", b"second")
    except SaveFailed as exc:
        assert exc.errno in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST), exc
    assert store.load("d", "s").payload in (b"first", b"second")
    assert temps(tmp_path / "d") == []
