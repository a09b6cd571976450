"""Child of ``test_journal_kill9.py``: DurableWriter with a journal, saving in a loop.

    python journal_writer.py <root> <clients> <checkpoint_interval>

Each of ``clients`` tasks saves ``payload <n>`` to session ``s`` of client ``c<i>`` again and
again through the production writer (full durability, journal), and prints
``ack <client> <n>`` after each save returns. The parent kills it with SIGKILL.
"""

from __future__ import annotations

import sys
from pathlib import Path

import trio

from stui_trio.storage import DurableWriter, SessionFileStore
from stui_trio.storage.checkpoint import replay_journal
from stui_trio.storage.journal import Journal


async def main(root: Path, clients: int, interval: float) -> None:
    files = SessionFileStore(root)
    journal = Journal(root)
    replay_journal(files, journal)
    files.journal = journal
    writer = DurableWriter(files, journal=journal, checkpoint_interval=interval)

    async def client(i: int) -> None:
        n = 0
        while True:
            n += 1
            await writer.save(f"c{i}", "s", f"payload {n}".encode())
            sys.stdout.write(f"ack c{i} {n}\n")
            sys.stdout.flush()

    async with trio.open_nursery() as nursery:
        await nursery.start(writer.run)
        print("ready", flush=True)
        for i in range(clients):
            nursery.start_soon(client, i)


if __name__ == "__main__":
    trio.run(main, Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
