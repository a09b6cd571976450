"""Durable storage: crash-safe session files, the image change log, the directory lock.

The storage layer stands on the standard library, attrs and trio only; payloads are opaque
bytes (the server puts STON text in them, see ``storage/ston/``). Pieces, bottom up:

* ``fsops``: the one seam through which every OS call goes (tests inject faults there).
* ``atomic``: the atomic-replace recipe (temp file, fsync, rename, directory fsync).
* ``framing``: the verifiable header of a session file, format versions and migrations.
* ``names``: validated ids and the file layout; ``quarantine``: damaged files set aside.
* ``session_files`` / ``session_scan``: :class:`SessionFileStore`, save/load with backups.
* ``async_store``: Trio façade; ``group_commit``: :class:`DurableWriter` (shared fsyncs).
* ``image_changes``: the append-only, checksummed change log with torn-tail repair;
  ``change_log_writer``: :class:`ChangeLogWriter`, group commit for it on Trio.
* ``lock``: one owning process per sessions directory.

A server uses them in this order: take :class:`DirectoryLock`, open the :class:`ChangeLog`
and replay it, create the :class:`SessionFileStore`, run a :class:`DurableWriter` (and a
:class:`ChangeLogWriter`) in a nursery. Then ``restore_session`` is
``AsyncSessionStore.load`` (its :class:`LoadResult` carries ``recovered_from_backup``,
``problems`` and ``lost_generations`` for the reply; ``payload=None`` means start empty and
say so), ``update_session_state`` is ``await writer.save(...)`` before replying, and
``define_class``/``compile_method`` are ``await change_writer.append(...)`` before replying.
Errors to map to ``error_type``: :class:`StorageQuotaExceeded`, :class:`SaveFailed`,
:class:`LoadFailed`, :class:`InvalidName`, :class:`StorageLocked` (refuse to start).
"""

from .async_store import AsyncSessionStore
from .change_log_writer import ChangeLogWriter
from .errors import (
    FrameError,
    InvalidName,
    LoadFailed,
    SaveFailed,
    StorageError,
    StorageLocked,
    StorageQuotaExceeded,
    UnsupportedFormat,
    WriterClosed,
)
from .framing import FORMAT_VERSION, Migrations
from .fsops import FileSystemOps
from .group_commit import Durability, DurableWriter
from .image_changes import ChangeEntry, ChangeLog, TailRepair
from .lock import DirectoryLock
from .session_files import LoadResult, SaveRequest, SaveResult, SessionFileStore

__all__ = [
    "FORMAT_VERSION",
    "AsyncSessionStore",
    "ChangeEntry",
    "ChangeLog",
    "ChangeLogWriter",
    "DirectoryLock",
    "Durability",
    "DurableWriter",
    "FileSystemOps",
    "FrameError",
    "InvalidName",
    "LoadFailed",
    "LoadResult",
    "Migrations",
    "SaveFailed",
    "SaveRequest",
    "SaveResult",
    "SessionFileStore",
    "StorageError",
    "StorageLocked",
    "StorageQuotaExceeded",
    "TailRepair",
    "UnsupportedFormat",
    "WriterClosed",
]
