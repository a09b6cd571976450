"""One owner per sessions directory: an exclusive ``flock`` on ``<root>/.lock``.

A server takes :class:`DirectoryLock` before it opens the session store or the change log and
holds it for its whole life. ``flock`` is released by the kernel when the holder dies (kill -9
included), so a stale lock file never blocks a restart; the holder's PID is written into the
file only so the refusal message can name it. A second process (or a second lock in the same
process: flock locks belong to the open file) gets :class:`StorageLocked` at once instead of
waiting. Not reliable on NFS, like every flock.

Usage::

    with DirectoryLock.acquire(root):
        ...serve...
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from .errors import StorageLocked

LOCK_NAME = ".lock"


class DirectoryLock:
    """A held lock on a sessions directory; release with :meth:`release` or ``with``."""

    def __init__(self, root: Path, fd: int) -> None:
        self.root = root
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, root: Path) -> DirectoryLock:
        """Take the lock on ``root`` (created if missing) or raise :class:`StorageLocked`."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise StorageLocked(root, pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(root, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up (idempotent). The file stays: deleting it would race."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> DirectoryLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None
