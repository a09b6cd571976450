"""The narrow seam between the storage layer and the operating system.

Every file-system call the storage layer makes on its write path goes through one
:class:`FileSystemOps` object: open a temp file exclusively, write, fsync, close, replace,
link, unlink, fsync a directory, and so on. Production code uses the class as is; tests pass a
subclass that raises ``OSError(EIO)`` at call number *k* (recipe d of
``notes/persistence.md``) or records the sequence of operations (recipe e). Keeping the seam
this narrow is what makes "fail at every call" testing exhaustive.

Reads (``read_bytes``, ``listdir``, ``stat``) go through it too, so a test can also see them.
"""

from __future__ import annotations

import os
from pathlib import Path


class FileSystemOps:
    """Thin, stateless wrappers over the ``os`` calls the storage layer uses."""

    def open_exclusive(self, path: Path) -> int:
        """Create ``path`` (it must not exist) for writing, mode 0600, and return the fd."""
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)

    def open_append(self, path: Path) -> int:
        """Open (creating if needed) ``path`` for appending, and return the fd."""
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)

    def write(self, fd: int, data: memoryview) -> int:
        """One ``write`` call; may be short (the caller loops)."""
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def close(self, fd: int) -> None:
        os.close(fd)

    def truncate(self, fd: int, length: int) -> None:
        os.ftruncate(fd, length)

    def replace(self, src: Path, dst: Path) -> None:
        """Atomically make ``dst`` name the file ``src`` names (POSIX ``rename``)."""
        os.replace(src, dst)

    def link(self, src: Path, dst: Path) -> None:
        """Hard-link ``dst`` to ``src`` (fails if ``dst`` exists)."""
        os.link(src, dst)

    def unlink(self, path: Path) -> None:
        os.unlink(path)

    def mkdir(self, path: Path) -> None:
        os.mkdir(path, 0o700)

    def rmdir(self, path: Path) -> None:
        os.rmdir(path)

    def fsync_dir(self, path: Path) -> None:
        """fsync a directory, so renames and creations in it survive a power cut."""
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def fsync_file(self, path: Path) -> None:
        """fsync an existing file by name (the journal checkpoint of a session file)."""
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def listdir(self, path: Path) -> list[str]:
        return os.listdir(path)

    def stat(self, path: Path) -> os.stat_result:
        return os.stat(path, follow_symlinks=False)
