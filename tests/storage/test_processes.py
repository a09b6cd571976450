"""Recipe f across processes: readers never see a partial file; one owner per directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stui_trio.storage import DirectoryLock, SessionFileStore, StorageLocked

PROCS = Path(__file__).parent / "procs"


def test_reader_process_always_sees_a_whole_file(tmp_path: Path) -> None:
    store = SessionFileStore(tmp_path, keep_backups=1)
    store.save("c", "s", b"x" * 20000)
    target = tmp_path / "c" / "session_c_s.ston"
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(PROCS / "reader.py"), str(target), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "ready"
        for i in range(500):
            store.save("c", "s", bytes([i % 256]) * (20000 + i * 37))
        stop.touch()
        out, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    summary = out.strip().splitlines()[-1]
    fields = dict(part.split("=") for part in summary.split())
    assert fields["bad"] == "0", out
    assert int(fields["reads"]) > 50 and int(fields["distinct"]) > 5, summary
    assert fields["ordered"] == "True"  # a reader never sees an older version after a newer
    assert store.load("c", "s").generation == 501


def test_second_process_is_refused_until_holder_dies(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, str(PROCS / "lock_holder.py"), str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline().split()
        assert line == ["locked", str(holder.pid)]
        with pytest.raises(StorageLocked) as info:
            DirectoryLock.acquire(tmp_path)
        assert info.value.pid == holder.pid
        message = str(info.value)
        assert str(tmp_path) in message and f"process {holder.pid}" in message
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    with DirectoryLock.acquire(tmp_path) as lock:
        assert lock.held
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())
        with pytest.raises(StorageLocked):  # flock is per open file: same process refused too
            DirectoryLock.acquire(tmp_path)
    assert not lock.held
    DirectoryLock.acquire(tmp_path).release()
