"""Setting damaged files aside: never delete evidence silently.

A file that fails verification is renamed into a ``quarantine/`` folder next to it as
``<name>.corrupt-<UTC timestamp>`` (a counter is added if that name is taken), and both
folders are fsynced so the move is durable. The change log also copies a torn tail there
before truncating it (:func:`quarantine_bytes`). The returned path goes into the report the
client sees.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .atomic import atomic_write, ensure_dir, sync_dir
from .fsops import FileSystemOps
from .names import QUARANTINE_DIR, utc_stamp


def _free_name(fs: FileSystemOps, folder: Path, base: str) -> Path:
    candidate, n = folder / base, 1
    while True:
        try:
            fs.stat(candidate)
        except FileNotFoundError:
            return candidate
        n += 1
        candidate = folder / f"{base}-{n}"


def quarantine_file(
    fs: FileSystemOps, path: Path, *, clock: Callable[[], float] = time.time
) -> Path:
    """Move ``path`` into ``<its folder>/quarantine/``; return the new path."""
    folder = path.parent / QUARANTINE_DIR
    ensure_dir(fs, folder)
    dest = _free_name(fs, folder, f"{path.name}.corrupt-{utc_stamp(clock())}")
    fs.replace(path, dest)
    sync_dir(fs, folder)
    sync_dir(fs, path.parent)
    return dest


def quarantine_bytes(
    fs: FileSystemOps, near: Path, label: str, data: bytes, *,
    clock: Callable[[], float] = time.time,
) -> Path:
    """Durably store ``data`` as ``<near's folder>/quarantine/<near name>.<label>-<stamp>``."""
    folder = near.parent / QUARANTINE_DIR
    ensure_dir(fs, folder)
    dest = _free_name(fs, folder, f"{near.name}.{label}-{utc_stamp(clock())}")
    atomic_write(fs, dest, data)
    return dest
