"""Crash-safe session files: one current file per session plus K rotated backups.

:class:`SessionFileStore` is the synchronous core of session storage. Its methods block on
disk I/O (fsync takes milliseconds), so async callers run them in worker threads: use
:class:`~stui_trio.storage.async_store.AsyncSessionStore` for one save at a time, or
:class:`~stui_trio.storage.group_commit.DurableWriter` to batch many saves per fsync round.
The store treats payloads as opaque bytes (the server puts STON text there); see ``names.py``
for the layout on disk and ``framing.py`` for the header that makes every file verifiable.

Saving (:meth:`SessionFileStore.save_many`, which :meth:`save` calls with one request) follows
the atomic-replace recipe in phases: write and fsync a temp file per session, rotate the
backups (``.K-1`` -> ``.K`` ... ``.1`` -> ``.2``, then hard-link the current file as ``.1``),
rename the temp over the current file, fsync each folder once. A save returns only when all
of that is done; if any step fails it raises :class:`SaveFailed` and the current file is the
previous version (or, if only the final folder fsync failed, the new version not yet known to
be durable). Saves of one session are serialised by a per-session lock, and every save gets
the next generation number.

With a write-ahead journal (``group_commit.py``), saves are acknowledged from the journal
and kept in memory (:meth:`defer`, answered by :meth:`load`) until the checkpoint writes
them (:meth:`write_deferred`), which also leaves the journal's form of each written version
beside its file as ``<file>.cache``: cheaper to read than the STON it renders to, and used
by :meth:`load` only while it verifies against the current file.

Loading (:meth:`load`) reads the current file and every backup, verifies each, and returns
the valid one with the highest generation. Damaged files are moved to ``quarantine/`` and
listed in :attr:`LoadResult.problems`; when nothing is valid the result has ``payload=None``
(start empty, and say so loudly).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from .atomic import (
    commit_temp,
    ensure_dir,
    remove_stale_temps,
    sync_dir,
    temp_path_for,
    write_durable_temp,
)
from .deferred import DeferredSaves
from .errors import LoadFailed, SaveFailed, StorageError, StorageQuotaExceeded
from .framing import MAX_HEADER, Migrations, encode_frame
from .fsops import FileSystemOps
from .housekeeping import folder_usage, newest_mtime, sweep_quarantine
from .names import QUARANTINE_DIR, backup_name, client_dir, session_file_name, validate_id
from .session_scan import Candidate, SessionScan, scan_session, split_names

Key = tuple[str, str]
log = logging.getLogger(__name__)

#: A checkpointed file's cache (``write_deferred``): ``<file>.cache``, header then body.
CACHE_SUFFIX = ".cache"
CACHE_MAGIC = "#stui-cache "
_CACHE_HEADER = re.compile(
    rb"#stui-cache gen=([0-9]{1,19}) ston=([0-9a-f]{64}) len=([0-9]{1,19}) crc=([0-9]{1,10})\n"
)

#: Seconds a client folder's counted disk usage is trusted before it is walked again. The
#: quota check runs on every save: walking the folder each time would cost more than the
#: save (at 1,000 clients the walks were a third of the journal writer's time). Between walks
#: the count grows by every byte this store writes there and never shrinks, so it errs high
#: only; a save it would refuse walks the folder first. The walk after USAGE_TTL catches
#: files changed behind the store's back.
USAGE_TTL = 30.0


@attrs.frozen
class SaveRequest:
    """One session's new state."""

    client_id: str
    session_id: str
    payload: bytes
    #: Journal replay writes exactly this generation; None: the next one.
    generation: int | None = None


@attrs.frozen
class SaveResult:
    """A durable save: the generation now on disk and the file size written."""

    generation: int
    bytes_written: int


@attrs.frozen
class LoadResult:
    """What :meth:`SessionFileStore.load` found.

    ``payload`` is None when files existed but none verified: start an empty session and
    report ``problems``. ``recovered_from_backup`` is True when the payload did not come from
    a valid current file. ``lost_generations`` lists generations newer than the one returned
    that existed on disk but could not be recovered (known from damaged files' headers).
    """

    payload: bytes | None
    generation: int
    recovered_from_backup: bool
    problems: tuple[str, ...] = ()
    lost_generations: tuple[int, ...] = ()
    source: str = ""
    #: The same version in the journal's form, from the file's cache (see
    #: :meth:`SessionFileStore.write_deferred`), when one verifies against ``payload``:
    #: cheaper to read. A reader that cannot use it falls back to ``payload``.
    derived: bytes | None = None


class SessionFileStore:
    """Session files under ``root`` (see the module docstring).

    ``keep_backups`` is K, the number of older versions kept; ``quota_bytes`` caps each
    client folder (None: no cap); ``fs`` is the OS seam; ``migrations`` upgrades older format
    versions; ``max_file_bytes`` is the largest file :meth:`load` will read (bigger ones are
    reported and left alone). Creating the store creates ``root`` if needed and removes stale
    temp files left by a killed writer, so create it only while holding the directory lock
    (``lock.py``).
    """

    def __init__(
        self,
        root: Path,
        *,
        keep_backups: int = 3,
        quota_bytes: int | None = None,
        fs: FileSystemOps | None = None,
        migrations: Migrations | None = None,
        clock: Callable[[], float] = time.time,
        max_file_bytes: int | None = 64 * 1024 * 1024,
    ) -> None:
        if keep_backups < 0:
            raise ValueError("keep_backups must be >= 0")
        self.root = Path(root)
        self.keep_backups = keep_backups
        self.quota_bytes = quota_bytes
        self.fs = fs or FileSystemOps()
        self.migrations = migrations or Migrations()
        self.clock = clock
        self.max_file_bytes = max_file_bytes
        self._guard = threading.Lock()
        self._locks: dict[Key, threading.Lock] = {}
        self._generations: dict[Key, int] = {}  # highest generation known to exist on disk
        self._pending_problems: dict[Key, list[str]] = {}  # found while saving, told at load
        self._checked_dirs: dict[str, Path] = {}  # client folders that passed client_dir()
        #: Set (``journal.Journal``) when saves are acknowledged from the journal: deletes
        #: then journal a tombstone so replay never brings a deleted session back.
        self.journal: Any = None
        #: Journaled saves whose files the next checkpoint writes: key -> (payload, gen).
        self._deferred = DeferredSaves(overhead=MAX_HEADER)
        #: Journal payload -> file payload (the session layer journals a cheaper form).
        self.render: Callable[[bytes], bytes] = bytes
        #: Bytes used per client folder (as walked, plus what was written since) and when
        #: the folder was walked; see USAGE_TTL. The writer and the checkpoint both update it.
        self._usage: dict[str, tuple[int, float]] = {}
        self._usage_lock = threading.Lock()
        ensure_dir(self.fs, self.root)
        self.removed_temp_files = self._remove_stale_temps()

    # -- saving ---------------------------------------------------------------------------

    def save(self, client_id: str, session_id: str, payload: bytes) -> SaveResult:
        """Durably store ``payload`` as the new state of the session; raise on failure."""
        (result,) = self.save_many([SaveRequest(client_id, session_id, payload)])
        if isinstance(result, BaseException):
            raise result
        return result

    def save_many(self, requests: Sequence[SaveRequest]) -> list[SaveResult | StorageError]:
        """Save several distinct sessions as one batch (one fsync per folder).

        Returns one entry per request, in order: its :class:`SaveResult`, or the
        :class:`StorageError` that made it fail (other requests are not affected, except that
        a failed folder fsync fails every request in that folder).
        """
        keys = [(r.client_id, r.session_id) for r in requests]
        if len(set(keys)) != len(keys):
            raise ValueError("save_many needs distinct sessions; merge duplicates first")
        with self._locked(sorted(set(keys))):
            return self._save_locked(requests, sync=True)

    def _save_locked(
        self, requests: Sequence[SaveRequest], *, sync: bool
    ) -> list[SaveResult | StorageError]:
        """:meth:`save_many` with the sessions' locks held; ``sync=False`` (the checkpoint,
        which fsyncs the files and folders together afterwards) skips the fsyncs."""
        keys = [(r.client_id, r.session_id) for r in requests]
        results: list[SaveResult | StorageError | None] = [None] * len(requests)
        staged: list[tuple[int, Path, Path, int, int]] = []
        for i, req in enumerate(requests):
            try:
                staged.append((i, *self._stage(req, sync)))
            except (OSError, StorageError) as exc:
                results[i] = _as_save_failed(exc, "preparing the save of", req.session_id)
        folders: dict[Path, list[int]] = {}
        for i, temp, target, generation, size in staged:
            try:
                self._rotate_backups(target)
                commit_temp(self.fs, temp, target)
            except (OSError, StorageError) as exc:
                with contextlib.suppress(OSError):
                    self.fs.unlink(temp)
                results[i] = _as_save_failed(exc, "rotating backups of", target)
                continue
            self._generations[keys[i]] = max(self._generations.get(keys[i], 0), generation)
            self._grew(keys[i][0], size)
            results[i] = SaveResult(generation, size)
            folders.setdefault(target.parent, []).append(i)
        for folder, members in folders.items() if sync else ():
            try:
                sync_dir(self.fs, folder)
            except SaveFailed as exc:
                for i in members:
                    results[i] = exc
        return [r for r in results if r is not None]

    # -- deferred saves (the journal's write path) -------------------------------------------

    def plan_deferred(self, requests: Sequence[SaveRequest]) -> list[SaveResult | StorageError]:
        """Number the generation of each save and check the client's quota, without writing.

        The journal's write path: the caller appends the saves to the journal, then calls
        :meth:`defer` with the planned results; the files are written by :meth:`write_deferred`
        at the next checkpoint, one file per session however many saves it had meanwhile.
        Call both from one thread at a time (the writer's), under ``journal.lock``."""
        results: list[SaveResult | StorageError] = []
        for req in requests:
            key = (req.client_id, req.session_id)
            try:
                folder = self._client_dir(req.client_id)
                with self._locked([key]):
                    generation = self._next_generation(key, folder)
                size = len(req.payload) + MAX_HEADER  # about: the header is ~110 B
                target = folder / session_file_name(*key)
                self._check_quota(req.client_id, req.session_id, folder, target, size)
            except (OSError, StorageError) as exc:
                results.append(_as_save_failed(exc, "preparing the save of", req.session_id))
                continue
            results.append(SaveResult(generation, size))
        return results

    def defer(self, request: SaveRequest, result: SaveResult) -> None:
        """Make a journaled save current: :meth:`load` answers it from now on."""
        self._deferred.put(
            (request.client_id, request.session_id), request.payload, result.generation
        )

    def deferred_sessions(self, client_id: str) -> set[str]:
        """Sessions of the client saved (journaled) since their file was last written."""
        return self._deferred.sessions_of(client_id)

    def write_deferred(self, keys: Sequence[Key]) -> list[str]:
        """(checkpoint) Write the newest deferred save of each of ``keys`` as its file,
        unsynced (the checkpoint fsyncs them next); return what failed. A save superseded or
        deleted meanwhile is left to whoever did that."""
        failed: list[str] = []
        for key in sorted(keys):
            # A checkpoint writes up to a file per session: between files, hand the GIL to
            # whichever thread waits for it (the event loop), rather than after a switch
            # interval, so a thousand files do not hold up request handling.
            time.sleep(0)
            with self._locked([key]):
                entry = self._deferred.get(key)
                if entry is None:
                    continue
                payload, generation = entry
                rendered = self.render(payload)
                request = SaveRequest(*key, rendered, generation)
                (result,) = self._save_locked([request], sync=False)
                if isinstance(result, StorageError):
                    failed.append(str(result))
                    continue
                if rendered is not payload:
                    self._write_cache(key, payload, rendered, generation)
                self._deferred.drop(key, entry)
        return failed

    def _write_cache(self, key: Key, payload: bytes, rendered: bytes, generation: int) -> None:
        """Keep the journal's form of a checkpointed version beside its file, as
        ``<file>.cache``: reading it back is several times cheaper than the STON it was
        rendered to (a cold restore of a big workspace). Never trusted over the file: its
        header names the file's generation and SHA-256, and its own length and CRC, and
        :meth:`load` uses it only when all of them match. Written atomically but unsynced
        (a cache: losing it costs a slower read, nothing else)."""
        target = self._client_dir(key[0]) / (session_file_name(*key) + CACHE_SUFFIX)
        header = (
            f"{CACHE_MAGIC}gen={generation} ston={hashlib.sha256(rendered).hexdigest()} "
            f"len={len(payload)} crc={zlib.crc32(payload)}\n"
        ).encode("ascii")
        try:
            temp = write_durable_temp(self.fs, target, header + payload, sync=False)
            commit_temp(self.fs, temp, target)
        except (OSError, StorageError) as exc:
            log.debug("no cache for %s: %s", target, exc)
            return
        self._grew(key[0], len(header) + len(payload))

    def _read_cache(self, folder: Path, name: str, best: Candidate) -> bytes | None:
        """The cached journal form of ``best`` (the current file), if it verifies."""
        try:
            data = self.fs.read_bytes(folder / (name + CACHE_SUFFIX))
        except OSError:
            return None
        end = data.find(b"\n", 0, MAX_HEADER)
        match = _CACHE_HEADER.fullmatch(data[: end + 1]) if end > 0 else None
        if match is None:
            return None
        body = data[end + 1 :]
        generation, digest, length, crc = match.groups()
        if (int(generation) != best.generation or int(length) != len(body)
                or int(crc) != zlib.crc32(body)
                or digest.decode() != best.digest):  # verified with the file just now
            return None
        return body

    def _next_generation(self, key: Key, folder: Path) -> int:
        entry = self._deferred.get(key)
        on_disk = self._known_generation(key, folder)
        return max(on_disk, entry[1] if entry is not None else 0) + 1

    def _stage(self, req: SaveRequest, sync: bool = True) -> tuple[Path, Path, int, int]:
        """Write and fsync the temp file of one request; return (temp, target, gen, size)."""
        folder = self._client_dir(req.client_id)
        target = folder / session_file_name(req.client_id, req.session_id)
        key = (req.client_id, req.session_id)
        ensure_dir(self.fs, folder)
        generation = self._known_generation(key, folder) + 1
        if req.generation is not None:
            generation = max(generation, req.generation)
        data = encode_frame(req.payload, generation)
        self._check_quota(req.client_id, req.session_id, folder, target, len(data))
        temp = write_durable_temp(self.fs, target, data, sync=sync)
        return temp, target, generation, len(data)

    def _client_dir(self, client_id: str) -> Path:
        """``client_dir`` with its resolve check done once per client (saves are hot)."""
        folder = self._checked_dirs.get(client_id)
        if folder is None:
            folder = self._checked_dirs[client_id] = client_dir(self.root, client_id)
        return folder

    def _known_generation(self, key: Key, folder: Path) -> int:
        """Highest generation on disk for ``key``; on first use, verify and scan the files."""
        known = self._generations.get(key)
        if known is None:
            scan = self._scan(key, folder)
            if scan.problems:
                self._pending_problems.setdefault(key, []).extend(scan.problems)
            known = self._generations[key]
        return known

    def _rotate_backups(self, target: Path) -> None:
        """Shift ``.1..K-1`` up by one and hard-link the current file as ``.1``."""
        k = self.keep_backups
        if k == 0:
            return
        for i in range(k - 1, 0, -1):
            with contextlib.suppress(FileNotFoundError):
                self.fs.replace(_sibling(target, i), _sibling(target, i + 1))
        link_temp = temp_path_for(_sibling(target, 1))
        try:
            self.fs.link(target, link_temp)
        except FileNotFoundError:
            return  # no current file yet (first save, or it was quarantined)
        try:
            self.fs.replace(link_temp, _sibling(target, 1))
        except OSError:
            with contextlib.suppress(OSError):
                self.fs.unlink(link_temp)
            raise

    def _check_quota(
        self, client_id: str, session_id: str, folder: Path, target: Path, size: int
    ) -> None:
        if self.quota_bytes is None:
            return
        counted = self._usage.get(client_id)
        walked = counted is None or time.monotonic() - counted[1] > USAGE_TTL
        if walked:
            counted = self._count_usage(client_id)
        assert counted is not None
        # Journaled saves not written yet count too (an overestimate: they replace files).
        pending = self._deferred.bytes_of(client_id, besides=session_id)
        if counted[0] + pending + size <= self.quota_bytes:
            return
        if not walked:  # the running count errs high: walk before refusing
            counted = self._count_usage(client_id)
        freed = 0
        if self.keep_backups:  # rotation drops the oldest backup
            with contextlib.suppress(FileNotFoundError):
                freed = self.fs.stat(_sibling(target, self.keep_backups)).st_size
        usage = counted[0] + pending
        if usage - freed + size > self.quota_bytes:
            raise StorageQuotaExceeded(client_id, usage, size, self.quota_bytes)

    def _count_usage(self, client_id: str) -> tuple[int, float]:
        counted = (self.disk_usage(client_id), time.monotonic())
        with self._usage_lock:
            self._usage[client_id] = counted
        return counted

    def _grew(self, client_id: str, size: int) -> None:
        """This store wrote ``size`` bytes into the client's folder."""
        with self._usage_lock:
            counted = self._usage.get(client_id)
            if counted is not None:
                self._usage[client_id] = (counted[0] + size, counted[1])

    # -- loading --------------------------------------------------------------------------

    def load(self, client_id: str, session_id: str) -> LoadResult | None:
        """The newest valid version of a session, or None if it has no files at all.

        Damaged files are quarantined and reported, never raised; :class:`LoadFailed` only
        when the folder itself cannot be read.
        """
        folder = self._client_dir(client_id)
        key = (client_id, validate_id("session id", session_id))
        with self._locked([key]):
            deferred = self._deferred.get(key)
            if deferred is not None:  # journaled, newer than any file
                return LoadResult(deferred[0], deferred[1], False, (), (), "journal")
            try:
                scan = self._scan(key, folder)
            except OSError as exc:
                raise LoadFailed(
                    f"reading session {session_id!r} of {client_id!r} failed: {exc}", exc.errno
                ) from exc
            problems = (*self._pending_problems.pop(key, ()), *scan.problems)
            if scan.best is None:
                if not problems:
                    return None
                return LoadResult(None, 0, True, problems, scan.lost_after(0), "")
            best = scan.best
            return LoadResult(
                best.payload,
                best.generation,
                best.index != 0,
                problems,
                scan.lost_after(best.generation),
                best.name,
                self._read_cache(folder, session_file_name(*key), best) if best.index == 0
                else None,
            )

    def _scan(self, key: Key, folder: Path) -> SessionScan:
        scan = scan_session(
            self.fs,
            folder,
            session_file_name(*key),
            self.migrations,
            clock=self.clock,
            max_bytes=self.max_file_bytes,
        )
        self._generations[key] = max(self._generations.get(key, 0), scan.highest_generation)
        return scan

    def sync_files(self, keys: Sequence[Key]) -> list[str]:
        """fsync the current file of each session and each folder (the journal checkpoint);
        return what failed. A file that is gone (deleted, quarantined) needs nothing."""
        failed: list[str] = []
        folders: set[Path] = set()
        for client_id, session_id in keys:
            folder = self._client_dir(client_id)
            path = folder / session_file_name(client_id, session_id)
            try:
                self.fs.fsync_file(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                failed.append(f"fsync of {str(path)!r} failed: {exc.strerror or exc}")
            folders.add(folder)
        for folder in sorted(folders):
            try:
                self.fs.fsync_dir(folder)
            except FileNotFoundError:
                pass
            except OSError as exc:
                failed.append(f"fsync of directory {str(folder)!r} failed: {exc.strerror or exc}")
        return failed

    # -- housekeeping ---------------------------------------------------------------------

    def delete(self, client_id: str, session_id: str, *, journaled: bool = False) -> bool:
        """Remove a session's current file, backups and temp files; True if any existed.

        With a journal, a tombstone is appended first (one fsync), unless the caller says it
        ``journaled`` one already (the group-commit writer, with its batch): then the folder
        is not fsynced either, the checkpoint does it."""
        folder = self._client_dir(client_id)
        key = (client_id, validate_id("session id", session_id))
        name = session_file_name(*key)
        with self._locked([key]):
            if self.journal is not None and not journaled:
                self.journal.append_tombstone(*key, self._generations.get(key, 0) + 1)
            removed = self._unlink_all(folder, name, sync=not journaled)
            self._generations.pop(key, None)
            self._pending_problems.pop(key, None)
            removed = self._deferred.drop(key) or removed
        return removed

    def _unlink_all(self, folder: Path, name: str, *, sync: bool = True) -> bool:
        try:
            names = self.fs.listdir(folder)
        except FileNotFoundError:
            return False
        doomed = [n for n in names if n == name or n.startswith((name + ".", f".{name}."))]
        for n in doomed:
            with contextlib.suppress(FileNotFoundError):
                self.fs.unlink(folder / n)
        if doomed and sync:
            sync_dir(self.fs, folder)
        return bool(doomed)

    def list_sessions(self, client_id: str) -> list[str]:
        """Ids of the sessions of ``client_id`` that have a current file or a backup."""
        folder = self._client_dir(client_id)
        deferred = self._deferred.sessions_of(client_id)
        try:
            names = self.fs.listdir(folder)
        except FileNotFoundError:
            names = []
        return sorted(deferred.union(split_names(client_id, names)))

    def list_clients(self) -> list[str]:
        """Ids of the clients that have a folder under the root."""
        clients = []
        for name in self.fs.listdir(self.root):
            try:
                validate_id("client id", name)
            except StorageError:
                continue
            if (self.root / name).is_dir() and not (self.root / name).is_symlink():
                clients.append(name)
        return sorted(clients)

    def usage_changed(self, client_id: str) -> None:
        """Forget the cached disk usage of a client folder changed behind the store's back."""
        with self._usage_lock:
            self._usage.pop(client_id, None)

    def disk_usage(self, client_id: str) -> int:
        """Bytes used by a client's folder, quarantine included (hard links counted once)."""
        return folder_usage(self.fs, self._client_dir(client_id))

    def remove_older_than(self, age: float) -> list[Path]:
        """Sweeper: delete sessions whose newest file is older than ``age`` seconds, and
        quarantined files set aside more than ``age`` seconds ago. Returns removed paths."""
        cutoff = self.clock() - age
        removed: list[Path] = []
        for client_id in self.list_clients():
            folder = self._client_dir(client_id)
            for session_id in self.list_sessions(client_id):
                name = session_file_name(client_id, session_id)
                files = [folder / n for n in self.fs.listdir(folder) if n.startswith(name)]
                newest = max((newest_mtime(self.fs, p) for p in files), default=0.0)
                if newest < cutoff and self.delete(client_id, session_id):
                    removed.extend(files)
            removed.extend(sweep_quarantine(self.fs, folder / QUARANTINE_DIR, cutoff))
            with contextlib.suppress(OSError):  # only succeeds when the folder is empty
                self.fs.rmdir(folder / QUARANTINE_DIR)
            with contextlib.suppress(OSError):
                self.fs.rmdir(folder)
                sync_dir(self.fs, self.root)
        return removed

    def _remove_stale_temps(self) -> list[str]:
        removed = remove_stale_temps(self.fs, self.root)
        for client_id in self.list_clients():
            removed += remove_stale_temps(self.fs, self.root / client_id)
        return removed

    @contextlib.contextmanager
    def _locked(self, keys: Sequence[Key]) -> Iterator[None]:
        with self._guard:
            locks = [self._locks.setdefault(k, threading.Lock()) for k in keys]
        with contextlib.ExitStack() as stack:
            for lock in locks:  # callers pass keys sorted, so no lock-order deadlock
                stack.enter_context(lock)
            yield


def _sibling(target: Path, index: int) -> Path:
    return target.parent / backup_name(target.name, index)


def _as_save_failed(exc: OSError | StorageError, what: str, path: Path | str) -> StorageError:
    if isinstance(exc, StorageError):
        return exc
    return SaveFailed(f"{what} {str(path)!r} failed: {exc.strerror or exc}", exc.errno)


__all__ = ["LoadResult", "SaveRequest", "SaveResult", "SessionFileStore"]
