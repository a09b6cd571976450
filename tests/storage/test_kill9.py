"""Recipe a: SIGKILL a process that saves in a tight loop, at random moments.

A child runs the production save path (``SessionFileStore.save``) saving generation after
generation and prints an ack after each save returns. The parent kills it with SIGKILL after
a random 20-150 ms, then loads with the production loader: the file must verify, hold a
generation at least as new as the last acked one (at most one newer: the save in flight),
and its payload must be exactly the payload of that save. The same folder is reused across
kills, so each child also starts from whatever the previous kill left behind.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from stui_trio.storage import SessionFileStore

SAVER = Path(__file__).parent / "procs" / "saver.py"
SIZE = 16 * 1024
KILLS = 30


def payload_for(index: int, size: int) -> bytes:  # same as procs/saver.py
    head = f"payload {index};".encode()
    return head + bytes((index + i) % 251 for i in range(size - len(head)))


def test_kill9_never_loses_an_acked_save(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    last_acked = 0
    total_acks = 0
    for round_ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(SAVER), str(tmp_path), "c", "s", str(SIZE)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline() + proc.stdout.readline()  # ready + one ack
            time.sleep(rng.uniform(0.02, 0.15))
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL, (round_, proc.returncode, first, err)
        assert first.startswith("ready\nack "), (round_, first, err)
        out = first + out
        acks = [line.split() for line in out.splitlines() if line.startswith("ack ")]
        complete = [a for a in acks if len(a) == 3]  # the last line may be cut mid-write
        if complete:
            last_acked = int(complete[-1][1])
        total_acks += len(complete)
        loaded = SessionFileStore(tmp_path, keep_backups=2).load("c", "s")
        assert loaded is not None, round_
        assert loaded.problems == (), (round_, loaded.problems)
        assert last_acked <= loaded.generation <= last_acked + 1, (round_, last_acked, loaded)
        index = int(loaded.payload.split(b";", 1)[0].split()[1])
        assert loaded.payload == payload_for(index, SIZE)
        last_acked = loaded.generation
    assert total_acks > KILLS
