"""SIGKILL a process whose DurableWriter acknowledges saves from the write-ahead journal.

The child (``procs/journal_writer.py``) runs 6 client tasks saving through the production
writer with a journal; the parent kills it at a random moment and replays the journal with
the production code. Two cases:

* checkpoints running every 20 ms (segments rotated and deleted while saves stream in):
  after replay, every session loads a payload at least as new as its last acked one;
* no checkpoints, and after the kill every session file is deleted (the worst a power cut
  can do to files that were never fsynced) and the journal is read as written in an earlier
  boot: replay alone must bring back every acked save.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stui_trio.storage import SessionFileStore
from stui_trio.storage.checkpoint import replay_journal
from stui_trio.storage.journal import JOURNAL_DIR, Journal

CHILD = Path(__file__).parent / "procs" / "journal_writer.py"
CLIENTS = 6


def run_and_kill(root: Path, interval: float, delay: float) -> dict[str, int]:
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(root), str(CLIENTS), str(interval)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, err
    acked: dict[str, int] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "ack" and parts[2].isdigit():
            acked[parts[1]] = max(acked.get(parts[1], 0), int(parts[2]))
    return acked


def loaded_counter(files: SessionFileStore, client: str) -> int:
    result = files.load(client, "s")
    assert result is not None and result.payload is not None, (client, result)
    return int(result.payload.split()[1])


@pytest.mark.parametrize("round_", range(2))
def test_kill9_with_checkpoints_loses_no_acked_save(tmp_path: Path, round_: int) -> None:
    rng = random.Random(round_)
    total = 0
    for _ in range(3):  # the same root across kills: each child replays what the last left
        acked = run_and_kill(tmp_path, 0.02, rng.uniform(0.2, 0.6))
        files = SessionFileStore(tmp_path)
        replay_journal(files, Journal(tmp_path))
        for client, n in acked.items():
            assert loaded_counter(files, client) >= n, (client, n)
        total += sum(acked.values())
    assert total > 0


def test_replay_alone_restores_every_acked_save(tmp_path: Path) -> None:
    acked = run_and_kill(tmp_path, 3600.0, 0.5)
    assert len(acked) == CLIENTS
    assert list((tmp_path / JOURNAL_DIR).glob("wal-*.log"))
    for path in tmp_path.glob("c*/*"):
        if path.is_file():
            path.unlink()
    journal = Journal(tmp_path)
    journal.boot_id = "an-earlier-boot"  # so the records count as written before a power cut
    files = SessionFileStore(tmp_path)
    report = replay_journal(files, journal)
    assert report.applied == CLIENTS
    assert report.checkpoint.failed == ()
    for client, n in acked.items():
        assert loaded_counter(files, client) >= n, (client, n)
    assert not list((tmp_path / JOURNAL_DIR).glob("wal-*.log"))
