"""Child process for the disk-full test (recipe c): saves under RLIMIT_FSIZE.

Usage: efbig.py ROOT LIMIT. Ignores SIGXFSZ and lowers the soft file-size limit to LIMIT
bytes, tries a save bigger than that (expected: SaveFailed with EFBIG), checks the previous
version still loads, lifts the limit, saves again. Prints one JSON line with what happened.
"""

import errno
import json
import os
import resource
import signal
import sys
from pathlib import Path

from stui_trio.storage.errors import SaveFailed
from stui_trio.storage.session_files import SessionFileStore


def main() -> None:
    root, limit = Path(sys.argv[1]), int(sys.argv[2])
    store = SessionFileStore(root, keep_backups=2)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    report: dict[str, object] = {}
    try:
        store.save("c", "s", b"B" * (limit * 4))
        report["big_save"] = "succeeded"
    except SaveFailed as exc:
        report["big_save"] = "failed"
        report["errno_is_efbig"] = exc.errno == errno.EFBIG
        report["message"] = str(exc)
    loaded = store.load("c", "s")
    report["after_fail_payload"] = loaded.payload.decode() if loaded and loaded.payload else None
    report["temps_after_fail"] = [n for n in os.listdir(root / "c") if ".tmp-" in n]
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    report["next_generation"] = store.save("c", "s", b"C" * (limit * 4)).generation
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
