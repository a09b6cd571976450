"""Child process: take the directory lock on ROOT, print ``locked <pid>``, then sleep."""

import os
import sys
import time
from pathlib import Path

from stui_trio.storage.lock import DirectoryLock


def main() -> None:
    with DirectoryLock.acquire(Path(sys.argv[1])):
        print(f"locked {os.getpid()}", flush=True)
        time.sleep(60)


if __name__ == "__main__":
    main()
