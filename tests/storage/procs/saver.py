"""Child process for the kill -9 test: save generations in a loop, print each ack.

Usage: saver.py ROOT CLIENT SESSION PAYLOAD_BYTES. Each payload names its loop index and is
``PAYLOAD_BYTES`` long; a line ``ack <generation> <index>`` is printed (and flushed) only
after ``SessionFileStore.save`` returned, i.e. after the save is durable.
"""

import sys
from pathlib import Path

from stui_trio.storage.session_files import SessionFileStore


def payload_for(index: int, size: int) -> bytes:
    head = f"payload {index};".encode()
    return head + bytes((index + i) % 251 for i in range(size - len(head)))


def main() -> None:
    root, client, session, size = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = SessionFileStore(root, keep_backups=2)
    print("ready", flush=True)
    index = 0
    while True:
        index += 1
        result = store.save(client, session, payload_for(index, size))
        print(f"ack {result.generation} {index}", flush=True)


if __name__ == "__main__":
    main()
