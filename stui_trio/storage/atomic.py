"""The atomic-replace recipe: a file on disk is always the old version or the new one.

This is section 1 of ``notes/persistence.md``, split into phases so that the group-commit
writer can run many saves as one batch (write and fsync every temp file, then rename each,
then fsync each distinct directory once):

1. :func:`write_durable_temp`: create ``.<name>.tmp-<pid>-<random>`` with ``O_EXCL`` in the
   target's directory (same file system, so the rename is atomic), write everything (looping
   on short writes), ``fsync``, close. Any failure unlinks the temp file and raises
   :class:`SaveFailed`; fsync errors are never retried (the "fsyncgate" lesson: a second fsync
   may "succeed" on lost data), the next save writes the whole state again.
2. :func:`commit_temp`: ``os.replace(temp, target)``; readers see the old or the new file.
3. ``fsync`` of the directory (once per directory per batch) so the rename survives a power
   cut. Only after this may a save be acknowledged.

:func:`atomic_write` runs the three phases for one file. :func:`ensure_dir` creates a missing
directory and fsyncs its parent, so a new client folder does not vanish after a power cut.
Stale temp files left by a killed writer are recognised by :func:`is_temp_name` and removed at
start-up by their owners (never parsed as data).

Every call goes through the :class:`~stui_trio.storage.fsops.FileSystemOps` seam.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from .errors import SaveFailed
from .fsops import FileSystemOps

TEMP_MARKER = ".tmp-"


def temp_path_for(target: Path) -> Path:
    """A fresh, unique temp path next to ``target`` (hidden, marked, unguessable suffix)."""
    return target.parent / f".{target.name}{TEMP_MARKER}{os.getpid()}-{secrets.token_hex(6)}"


def is_temp_name(name: str) -> bool:
    """True for names made by :func:`temp_path_for` (leftovers of an interrupted save)."""
    return name.startswith(".") and TEMP_MARKER in name


def _failure(what: str, path: Path, exc: OSError) -> SaveFailed:
    return SaveFailed(f"{what} {str(path)!r} failed: {exc.strerror or exc}", exc.errno)


def _discard(fs: FileSystemOps, path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        fs.unlink(path)


def write_all(fs: FileSystemOps, fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``, looping on short writes."""
    view = memoryview(data)
    while view:
        written = fs.write(fd, view)
        if written <= 0:  # a zero-length write would loop forever; treat it as an I/O error
            raise OSError(5, "write made no progress")
        view = view[written:]


def write_durable_temp(
    fs: FileSystemOps, target: Path, data: bytes, *, sync: bool = True
) -> Path:
    """Phase 1: write ``data`` to a new temp file next to ``target`` and fsync it
    (``sync=False``: no fsync, for callers whose write-ahead journal already holds ``data``).

    Returns the temp path. On any failure the temp file is removed and :class:`SaveFailed`
    is raised; ``target`` is untouched.
    """
    temp = temp_path_for(target)
    try:
        fd = fs.open_exclusive(temp)
    except OSError as exc:
        raise _failure("creating temp file", temp, exc) from exc
    try:
        try:
            write_all(fs, fd, data)
            if sync:
                fs.fsync(fd)
        finally:
            fs.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):  # else the start-up sweep removes it
            _discard(fs, temp)
        raise _failure("writing", temp, exc) from exc
    except BaseException:
        _discard(fs, temp)
        raise
    return temp


def commit_temp(fs: FileSystemOps, temp: Path, target: Path) -> None:
    """Phase 2: rename the durable temp file over ``target``; on failure remove the temp."""
    try:
        fs.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            _discard(fs, temp)
        raise _failure("renaming to", target, exc) from exc


def sync_dir(fs: FileSystemOps, directory: Path) -> None:
    """Phase 3: fsync ``directory`` so the renames in it are durable."""
    try:
        fs.fsync_dir(directory)
    except OSError as exc:
        raise _failure("fsync of directory", directory, exc) from exc


def atomic_write(fs: FileSystemOps, target: Path, data: bytes) -> None:
    """All three phases for one file: when this returns, ``target`` holds ``data`` durably."""
    temp = write_durable_temp(fs, target, data)
    commit_temp(fs, temp, target)
    sync_dir(fs, target.parent)


def ensure_dir(fs: FileSystemOps, directory: Path) -> bool:
    """Create ``directory`` (and missing parents) durably; return True if it was created.

    Each newly created directory's parent is fsynced, so the new entry survives a power cut.
    """
    try:
        fs.stat(directory)
        return False
    except FileNotFoundError:
        pass
    ensure_dir(fs, directory.parent)
    try:
        fs.mkdir(directory)
    except FileExistsError:
        return False
    except OSError as exc:
        raise _failure("creating directory", directory, exc) from exc
    sync_dir(fs, directory.parent)
    return True


def remove_stale_temps(fs: FileSystemOps, directory: Path) -> list[str]:
    """Delete leftover temp files in ``directory``; return their names."""
    removed = []
    try:
        names = fs.listdir(directory)
    except FileNotFoundError:
        return removed
    for name in names:
        if is_temp_name(name):
            _discard(fs, directory / name)
            removed.append(name)
    return removed
