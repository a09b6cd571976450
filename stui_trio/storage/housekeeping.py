"""Housekeeping helpers of the session store: disk usage and the quarantine sweep.

Used by :meth:`SessionFileStore.disk_usage` (the per-client cap) and
:meth:`SessionFileStore.remove_older_than` (the sweeper). Usage counts every file in a client
folder, quarantine included, and counts hard links once (the newest backup is a hard link of
the previous current file, so it costs no extra space until the next save).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from .atomic import is_temp_name
from .fsops import FileSystemOps


def walk_files(fs: FileSystemOps, folder: Path) -> Iterator[Path]:
    """Every regular file under ``folder`` (recursively), temp files excluded."""
    try:
        names = fs.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            yield from walk_files(fs, path)
        elif not is_temp_name(name):
            yield path


def folder_usage(fs: FileSystemOps, folder: Path) -> int:
    """Bytes used by the files under ``folder``, each inode counted once."""
    seen: set[int] = set()
    total = 0
    for path in walk_files(fs, folder):
        with contextlib.suppress(FileNotFoundError):
            st = fs.stat(path)
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_size
    return total


def newest_mtime(fs: FileSystemOps, path: Path) -> float:
    """Modification time of ``path``, 0 if it vanished meanwhile."""
    try:
        return fs.stat(path).st_mtime
    except FileNotFoundError:
        return 0.0


def sweep_quarantine(fs: FileSystemOps, folder: Path, cutoff: float) -> list[Path]:
    """Delete quarantined files set aside before ``cutoff``; return them.

    ``st_ctime`` is used because the rename into quarantine updates it (the mtime is still
    that of the damaged file, which may be old).
    """
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for name in fs.listdir(folder):
            path = folder / name
            with contextlib.suppress(FileNotFoundError):
                if fs.stat(path).st_ctime < cutoff:
                    fs.unlink(path)
                    removed.append(path)
    return removed
