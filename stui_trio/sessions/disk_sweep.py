"""The disk half of the sweeper: expiry of sessions nobody has loaded, and age-based cleanup.

Sessions load lazily (``durable_store.py``), so after a restart most clients' sessions exist
only as files; the in-memory sweep of the session manager cannot see them. These functions
run in a worker thread, one client at a time, under that client's lock in the store:

* :func:`expire_unlisted`: a stored session whose newest file is older than the session
  timeout *may* be expired (its stored ``last_access`` is never later than its last save), so
  it is loaded, verified and checked with its own timeout; expired ones are deleted, live ones
  remembered until their expiry so they are not re-read every sweep.
* :func:`remove_aged`: sessions whose newest file is older than ``file_max_age`` and which
  nobody holds, and quarantined files set aside longer ago than that, are deleted (the
  quarantine is evidence, kept for the configured age and then dropped with a log line).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, MutableMapping
from pathlib import Path

import attrs

from stui_trio.sessions.model import Session
from stui_trio.storage import SessionFileStore
from stui_trio.storage.names import QUARANTINE_DIR, client_dir, session_file_name

log = logging.getLogger(__name__)


@attrs.frozen
class SweepReport:
    """Counts of one sweep: stored sessions expired, files removed."""

    expired: int = 0
    removed_files: int = 0

    def plus(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            self.expired + other.expired, self.removed_files + other.removed_files
        )


def newest_mtime(files: SessionFileStore, client_id: str, session_id: str) -> float:
    """Modification time of the newest file (current or backup) of a session; 0 if none."""
    folder = client_dir(files.root, client_id)
    name = session_file_name(client_id, session_id)
    newest = 0.0
    try:
        names = files.fs.listdir(folder)
    except FileNotFoundError:
        return 0.0
    for n in names:
        if n == name or n.startswith(name + "."):
            with contextlib.suppress(FileNotFoundError):
                newest = max(newest, files.fs.stat(folder / n).st_mtime)
    return newest


def expire_unlisted(
    files: SessionFileStore,
    client_id: str,
    now: float,
    *,
    timeout: float,
    known_expiry: MutableMapping[tuple[str, str], float],
    load: Callable[[str], Session | None],
) -> SweepReport:
    expired = removed = 0
    for session_id in files.list_sessions(client_id):
        key = (client_id, session_id)
        if known_expiry.get(key, 0.0) > now:
            continue
        if newest_mtime(files, client_id, session_id) + timeout > now:
            continue  # saved within the timeout: cannot be expired yet
        session = load(session_id)
        if session is not None and not session.is_expired(now):
            known_expiry[key] = session.expires_at
            continue
        known_expiry.pop(key, None)
        before = _count_files(files, client_id, session_id)
        if files.delete(client_id, session_id):
            expired += 1
            removed += before
    return SweepReport(expired, removed)


def remove_aged(
    files: SessionFileStore,
    client_id: str,
    keep: frozenset[str],
    cutoff: float,
    *,
    remove_empty_folder: bool = False,
) -> SweepReport:
    """Delete sessions (not in ``keep``) whose newest file is older than ``cutoff``, and
    quarantined files older than it. Only folders of clients nobody has loaded are removed
    when empty (a loaded client may be saving into its folder right now)."""
    removed = 0
    journaled = files.deferred_sessions(client_id)  # saved just now, not written yet
    for session_id in files.list_sessions(client_id):
        if session_id in keep or session_id in journaled:
            continue
        if newest_mtime(files, client_id, session_id) < cutoff:
            count = _count_files(files, client_id, session_id)
            if files.delete(client_id, session_id):
                log.info("removed session %s of client %s (older than max age)",
                         session_id, client_id)
                removed += count
    folder = client_dir(files.root, client_id)
    removed += _sweep_quarantine(files, folder / QUARANTINE_DIR, cutoff)
    files.usage_changed(client_id)
    if remove_empty_folder:
        for empty in (folder / QUARANTINE_DIR, folder):
            with contextlib.suppress(OSError):  # only succeeds when empty
                files.fs.rmdir(empty)
    return SweepReport(0, removed)


def _sweep_quarantine(files: SessionFileStore, folder: Path, cutoff: float) -> int:
    removed = 0
    try:
        names = files.fs.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in names:
        path = folder / name
        with contextlib.suppress(FileNotFoundError):
            if files.fs.stat(path).st_ctime < cutoff:  # ctime: when it was moved there
                files.fs.unlink(path)
                log.info("removed quarantined file %s (older than max age)", path)
                removed += 1
    return removed


def _count_files(files: SessionFileStore, client_id: str, session_id: str) -> int:
    folder = client_dir(files.root, client_id)
    name = session_file_name(client_id, session_id)
    try:
        return sum(
            1 for n in files.fs.listdir(folder) if n == name or n.startswith(name + ".")
        )
    except FileNotFoundError:
        return 0
