"""Errors raised by the storage layer, as one small hierarchy.

Everything the storage layer raises on purpose derives from :class:`StorageError`, so the
server can map it to an ``error_type`` in one place. An ``OSError`` from the operating system
is never leaked bare from a save: it is wrapped in :class:`SaveFailed` (the original is the
``__cause__``, and its ``errno`` is copied) so callers do not need to know which syscall failed.
"""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    """Base class of every error the storage layer raises on purpose."""


class InvalidName(StorageError, ValueError):
    """A client id or session id that is not a safe, single path component."""


class FrameError(StorageError):
    """A framed file or record failed verification (header, length or digest): corruption."""


class UnsupportedFormat(FrameError):
    """The header names a format version newer than this code understands (not corruption)."""


class SaveFailed(StorageError):
    """A save did not become durable; the previous file is still in place.

    ``errno`` is the operating-system error number when the cause was an ``OSError``.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class LoadFailed(StorageError):
    """A session's folder could not be listed or read at all (an I/O error, not damage).

    Damaged files never raise: they are quarantined and reported in the load result.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class StorageQuotaExceeded(StorageError):
    """Saving would take a client's folder over its configured disk-usage cap."""

    def __init__(self, client_id: str, usage: int, needed: int, cap: int) -> None:
        super().__init__(
            f"disk quota exceeded for client {client_id!r}: {usage} bytes used, this save needs "
            f"{needed} more, the cap is {cap} bytes"
        )
        self.client_id = client_id
        self.usage = usage
        self.needed = needed
        self.cap = cap


class StorageLocked(StorageError):
    """Another process owns the sessions directory (it holds ``<root>/.lock``)."""

    def __init__(self, root: Path, pid: int | None) -> None:
        holder = f"process {pid}" if pid is not None else "another process (PID unknown)"
        super().__init__(
            f"sessions directory {str(root)!r} is locked by {holder}; only one server may use a "
            f"sessions directory at a time (stop it, or point this server at another directory)"
        )
        self.root = root
        self.pid = pid


class WriterClosed(StorageError):
    """The group-commit writer is not running (not started yet, or already stopped)."""
