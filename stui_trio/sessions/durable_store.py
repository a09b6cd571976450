"""The durable :class:`~stui_trio.sessions.store.SessionStore`: sessions as STON files on disk.

This is the glue between the session manager and the storage layer (``stui_trio.storage``):

* one file per session, ``<root>/<client_id>/session_<client_id>_<session_id>.ston``, with a
  verified header, K rotated backups and a quarantine folder (``SessionFileStore``);
* the payload is the STON document of ``codec.py`` (metadata, JSON-able state, and the
  ``#workspace`` seam for Smalltalk objects, filled by a pluggable :class:`WorkspaceCodec`);
* every save and delete goes through one :class:`~stui_trio.storage.DurableWriter` (group
  commit): in ``full`` durability :meth:`save` returns only once the save is fsynced in the
  write-ahead journal (``<root>/.journal``; a checkpointer writes and fsyncs the session files
  a moment later, one per session however often it was saved, and start-up replays the
  journal before anything is loaded), so the server's ``update_session_state`` ack means
  "on disk"; in ``relaxed`` mode it
  returns once queued and the writer flushes every ``flush_interval`` (a crash loses up to
  that much acknowledged work);
* one owner: :meth:`running` takes the :class:`~stui_trio.storage.DirectoryLock` on the root
  before anything else (a second server gets ``StorageLocked``) and holds it until shutdown,
  when queued saves are written out first;
* the image change log (``image_log.py``, ``<root>/image.changes``), when one is set as
  :attr:`image_log`, is opened and replayed into the image right after the lock is taken -
  before any session is loaded or any request served - and closed before the lock goes.

Loading is lazy (``loads_lazily``): nothing is read at start; the manager asks for a client's
sessions with :meth:`list` the first time that client shows up, and only then are that
client's files read and verified. A session recovered from a backup (or started empty because
no version verified) carries ``recovered_from_backup`` and a ``recovery`` report saying what
was lost, which ``restore_session`` passes on. :meth:`sweep` is the disk half of the sweeper
(see ``disk_sweep.py``).
"""

from __future__ import annotations

import contextlib
import logging
import time
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import attrs
import trio

from stui_trio.protocol.errors import StorageError as ProtocolStorageError
from stui_trio.sessions import disk_sweep
from stui_trio.sessions.codec import (
    SessionDecodeError,
    WorkspaceCodec,
    decode_session,
    encode_session,
    encode_session_for_journal,
    journal_to_ston,
)
from stui_trio.sessions.model import Session, empty_state
from stui_trio.storage import (
    DirectoryLock,
    Durability,
    DurableWriter,
    InvalidName,
    LoadResult,
    SessionFileStore,
    StorageError,
    StorageQuotaExceeded,
)
from stui_trio.storage.checkpoint import ReplayReport, replay_journal
from stui_trio.storage.journal import Journal

log = logging.getLogger(__name__)

Key = tuple[str, str]


@attrs.frozen(kw_only=True)
class DurableSettings:
    """How the durable store behaves; :meth:`from_config` reads them from ``ServerConfig``."""

    root: Path
    durability: Durability = Durability.FULL
    window: float = 0.0
    flush_interval: float = 0.1
    checkpoint_interval: float = 5.0
    keep_backups: int = 3
    quota_bytes: int | None = None
    file_max_age: float | None = None
    session_timeout: float = 3600.0
    default_tier: str = "free"
    #: Group-commit writers run side by side, each owning the clients that hash to it, so
    #: their fsyncs can overlap. Measured here (2 cores, ext4) 4 shards gained nothing over 1
    #: (the event loop, not the disk, limits throughput), so the default is one.
    writer_shards: int = 1

    @classmethod
    def from_config(cls, config: Any) -> DurableSettings:
        return cls(
            root=Path(config.sessions_dir),
            durability=Durability(config.durability),
            window=config.group_commit_window_ms / 1000.0,
            flush_interval=config.relaxed_flush_interval_ms / 1000.0,
            checkpoint_interval=config.checkpoint_interval_ms / 1000.0,
            keep_backups=config.session_backups,
            quota_bytes=config.client_disk_quota_bytes or None,
            file_max_age=config.session_file_max_age or None,
            session_timeout=config.session_timeout,
            default_tier=config.default_tier,
        )


class DurableSessionStore:
    """Sessions in crash-safe STON files. Use inside ``async with store.running():``."""

    #: Tells the session manager to load a client's sessions on first use, not at start.
    loads_lazily = True

    def __init__(
        self,
        settings: DurableSettings,
        *,
        workspace_codec: WorkspaceCodec | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.workspace_codec = workspace_codec
        #: The image change log (an ``image_log.ImageLog``), run inside :meth:`running`.
        self.image_log: Any = None
        self._clock = clock
        self._files: SessionFileStore | None = None
        self._writers: list[DurableWriter] = []
        self._client_locks: dict[str, trio.Lock] = {}
        #: Clients whose sessions the manager has loaded: it owns their expiry from then on.
        self._listed: set[str] = set()
        #: Sessions the manager holds (listed or saved since start), per client.
        self._live: dict[str, set[str]] = {}
        #: ``#workspace`` values read from files while no codec is set, written back verbatim.
        self._opaque_workspace: dict[Key, Any] = {}
        #: Unlisted sessions checked by the sweep and found alive: key -> expires_at.
        self._disk_expiry: dict[Key, float] = {}
        self.last_sweep: disk_sweep.SweepReport | None = None

    # -- lifetime ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[DurableSessionStore]:
        """Take the directory lock, open the files, run the group-commit writer; on exit
        write out what is queued and release the lock. Raises ``storage.StorageLocked``."""
        s = self.settings
        lock = DirectoryLock.acquire(s.root)
        try:
            async with contextlib.AsyncExitStack() as stack:
                if self.image_log is not None:
                    await stack.enter_async_context(self.image_log.running())
                async with self._files_running():
                    yield self
        finally:
            lock.release()

    @contextlib.asynccontextmanager
    async def _files_running(self) -> AsyncIterator[None]:
        s = self.settings
        journal: Journal | None = None
        try:
            files = await trio.to_thread.run_sync(
                lambda: SessionFileStore(
                    s.root, keep_backups=s.keep_backups, quota_bytes=s.quota_bytes,
                    clock=self._clock,
                )
            )
            files.render = journal_to_ston  # the journal holds JSON; files are STON
            if files.removed_temp_files:
                log.info("removed %d stale temp files", len(files.removed_temp_files))
            journal = await trio.to_thread.run_sync(
                lambda: Journal(s.root, fs=files.fs, clock=self._clock)
            )
            replay = await trio.to_thread.run_sync(replay_journal, files, journal)
            _log_replay(replay)
            if s.durability is Durability.FULL:
                files.journal = journal  # from now on a delete journals a tombstone first
            writers = [
                DurableWriter(
                    files, window=s.window, durability=s.durability,
                    flush_interval=s.flush_interval, journal=journal,
                    checkpoint_interval=s.checkpoint_interval,
                )
                for _ in range(max(1, s.writer_shards))
            ]
            try:
                async with trio.open_nursery() as nursery:
                    for writer in writers:
                        await nursery.start(writer.run)
                    self._files, self._writers = files, writers
                    log.debug(
                        "durable session store at %s (durability %s, %d backups)",
                        s.root, s.durability.value, s.keep_backups,
                    )
                    try:
                        yield
                    finally:
                        # The writer writes what is still queued (shielded) when cancelled.
                        nursery.cancel_scope.cancel()
            except BaseExceptionGroup as group:
                # Only the body can fail here (the writer reports errors to its waiters):
                # hand its exception on as it was raised, not wrapped by our nursery.
                if len(group.exceptions) == 1:
                    raise group.exceptions[0] from group.exceptions[0].__cause__
                raise
        finally:
            self._files, self._writers = None, []
            if journal is not None:
                journal.close()

    @property
    def files(self) -> SessionFileStore:
        if self._files is None:
            raise ProtocolStorageError("the session store is not running")
        return self._files

    def writer_for(self, client_id: str) -> DurableWriter:
        """The writer of ``client_id``'s saves (always the same one, so order is kept)."""
        if not self._writers:
            raise ProtocolStorageError("the session store is not running")
        return self._writers[zlib.crc32(client_id.encode()) % len(self._writers)]

    async def flush(self) -> None:
        """Wait until every save queued so far is durable (relaxed mode's explicit sync)."""
        for writer in self._writers:
            await writer.flush()

    def _client_lock(self, client_id: str) -> trio.Lock:
        return self._client_locks.setdefault(client_id, trio.Lock())

    def stats(self) -> dict[str, Any]:
        """Counters for ``get_session_statistics``: durability, group commit, disk sweep."""
        w = [writer.stats for writer in self._writers]
        sweep = self.last_sweep
        return {
            "store": "durable",
            "durability": self.settings.durability.value,
            "saves_submitted": sum(x.submitted for x in w),
            "write_batches": sum(x.batches for x in w),
            "files_written": sum(x.files_written for x in w),
            "saves_merged": sum(x.merged for x in w),
            "failed_saves": sum(writer.failed_saves for writer in self._writers),
            "clients_loaded": len(self._listed),
            "last_disk_sweep": attrs.asdict(sweep) if sweep is not None else None,
        }

    # -- SessionStore ------------------------------------------------------------------------

    async def save(self, session: Session, *, background: bool = False) -> None:
        key = (session.client_id, session.session_id)
        workspace = (
            self.workspace_codec.encode(session)
            if self.workspace_codec is not None
            else self._opaque_workspace.get(key)
        )
        journaled = self.settings.durability is Durability.FULL
        encode = encode_session_for_journal if journaled else encode_session
        payload = encode(session, workspace=workspace)
        self._live.setdefault(session.client_id, set()).add(session.session_id)
        try:
            writer = self.writer_for(session.client_id)
            await writer.save(
                session.client_id, session.session_id, payload, background=background
            )
        except StorageQuotaExceeded as exc:
            raise ProtocolStorageError(
                f"{exc}; the change was not applied. Close sessions or store less state, or "
                "ask the operator to raise client_disk_quota_bytes",
                {"reason": "quota_exceeded", "usage_bytes": exc.usage,
                 "needed_bytes": exc.needed, "cap_bytes": exc.cap},
            ) from exc
        except InvalidName as exc:
            raise ProtocolStorageError(
                f"this session cannot be stored on disk: {exc}", {"reason": "invalid_name"}
            ) from exc
        except StorageError as exc:
            raise ProtocolStorageError(
                f"could not store session {session.session_id!r} ({exc}); the change was not "
                "applied - retry, and tell the operator if it persists",
                {"session_id": session.session_id, "reason": "save_failed"},
            ) from exc

    async def load(self, client_id: str, session_id: str) -> Session | None:
        async with self._client_lock(client_id):
            return await trio.to_thread.run_sync(self._load_one, client_id, session_id)

    async def delete(self, client_id: str, session_id: str) -> None:
        key = (client_id, session_id)
        self._live.get(client_id, set()).discard(session_id)
        self._opaque_workspace.pop(key, None)
        self._disk_expiry.pop(key, None)
        # Queued with the saves (so a save queued earlier cannot recreate the files after
        # they go), its tombstone journaled with their batch.
        try:
            await self.writer_for(client_id).delete(client_id, session_id)
        except InvalidName:
            pass  # a name the disk cannot hold has no files
        except StorageError as exc:
            raise ProtocolStorageError(
                f"session {session_id!r} is closed, but deleting its files failed ({exc}), "
                "so it may come back after a restart; tell the operator",
                {"session_id": session_id, "reason": "delete_failed"},
            ) from exc

    async def list(self, client_id: str) -> list[Session]:
        async with self._client_lock(client_id):
            sessions = await trio.to_thread.run_sync(self._load_client, client_id)
            self._listed.add(client_id)
            self._live.setdefault(client_id, set()).update(s.session_id for s in sessions)
            return sessions

    async def list_clients(self) -> list[str]:
        return await trio.to_thread.run_sync(self.files.list_clients)

    # -- housekeeping --------------------------------------------------------------------------

    async def sweep(self) -> disk_sweep.SweepReport:
        """Expire sessions of clients not loaded since start, and remove files older than
        ``file_max_age`` (sessions nobody holds, quarantined files). Loaded clients' sessions
        are the manager's to expire (its expiry calls :meth:`delete`)."""
        now = self._clock()
        total = disk_sweep.SweepReport()
        for client_id in await self.list_clients():
            async with self._client_lock(client_id):
                if client_id in self._listed:
                    if self.settings.file_max_age is None:
                        continue
                    keep = frozenset(self._live.get(client_id, ()))
                    part = await trio.to_thread.run_sync(
                        disk_sweep.remove_aged, self.files, client_id, keep,
                        now - self.settings.file_max_age,
                    )
                else:
                    part = await trio.to_thread.run_sync(
                        self._sweep_unlisted, client_id, now
                    )
            total = total.plus(part)
        self.last_sweep = total
        if total.expired or total.removed_files:
            log.info(
                "disk sweep: expired %d stored sessions, removed %d files",
                total.expired, total.removed_files,
            )
        return total

    def _sweep_unlisted(self, client_id: str, now: float) -> disk_sweep.SweepReport:
        """(worker thread) Expire the stored sessions of a client the manager never loaded."""
        report = disk_sweep.expire_unlisted(
            self.files, client_id, now,
            timeout=self.settings.session_timeout,
            known_expiry=self._disk_expiry,
            load=lambda sid: self._load_one(client_id, sid, serve=False),
        )
        if self.settings.file_max_age is not None:
            report = report.plus(disk_sweep.remove_aged(
                self.files, client_id, frozenset(), now - self.settings.file_max_age,
                remove_empty_folder=True,
            ))
        return report

    # -- loading (worker thread) ----------------------------------------------------------------

    def _load_client(self, client_id: str) -> list[Session]:
        try:
            ids = self.files.list_sessions(client_id)
        except InvalidName:
            return []  # a client id the disk cannot hold has nothing stored
        sessions = []
        for session_id in ids:
            session = self._load_one(client_id, session_id)
            if session is not None:
                sessions.append(session)
        return sessions

    def _load_one(
        self, client_id: str, session_id: str, *, serve: bool = True
    ) -> Session | None:
        """Read and verify one session; ``serve=False`` (the sweeper only wants its expiry)
        leaves its workspace alone instead of handing it to the workspace codec."""
        try:
            result = self.files.load(client_id, session_id)
        except InvalidName:
            return None
        if result is None:
            return None
        if result.payload is None:
            return self._start_empty(client_id, session_id, result)
        try:
            decoded = _decode_stored(result)
        except SessionDecodeError as exc:
            # The file verified, so this is not damage: a newer build's document, or a bug.
            # Leave the file alone and do not serve the session.
            log.error(
                "session %s of client %s (%s) verified but cannot be read: %s; not served",
                session_id, client_id, result.source, exc,
            )
            return None
        session = decoded.session
        if (session.client_id, session.session_id) != (client_id, session_id):
            log.error(
                "file %s names session %s of client %s; not served",
                result.source, session.session_id, session.client_id,
            )
            return None
        key = (client_id, session_id)
        if serve and decoded.workspace is not None:
            if self.workspace_codec is not None:
                self.workspace_codec.decode(decoded.workspace, session)
            else:
                self._opaque_workspace[key] = decoded.workspace
        if result.problems or result.recovered_from_backup:
            report = recovery_report(result, state_lost=False)
            log.warning(
                "session %s of client %s: %s", session_id, client_id, report["message"]
            )
            session = attrs.evolve(
                session, recovered_from_backup=result.recovered_from_backup, recovery=report
            )
        return session

    def _start_empty(self, client_id: str, session_id: str, result: LoadResult) -> Session:
        report = recovery_report(result, state_lost=True)
        log.error("session %s of client %s: %s", session_id, client_id, report["message"])
        now = self._clock()
        return Session(
            session_id=session_id, client_id=client_id, created_at=now, last_access=now,
            last_modified=now, timeout=self.settings.session_timeout,
            subscription_tier=self.settings.default_tier, client_info={},
            state=empty_state(), recovered_from_backup=True, recovery=report,
        )


def _decode_stored(result: LoadResult) -> Any:
    """The session of a load: from the file's cache (the journal's form, verified against the
    file by the store) when there is one it can read, else from the file's STON."""
    assert result.payload is not None
    if result.derived is not None:
        try:
            return decode_session(result.derived)
        except SessionDecodeError as exc:
            log.warning("cache of %s not used (%s); reading the file", result.source, exc)
    return decode_session(result.payload)


def _log_replay(replay: ReplayReport) -> None:
    for problem in replay.problems:
        log.error("journal replay: %s", problem)
    if replay.applied or replay.deleted or replay.checkpoint.failed:
        log.warning(
            "journal replay: %d records in %d segments; %d sessions brought up to date, "
            "%d deleted, %d checkpoint failures",
            replay.records, replay.segments, replay.applied, replay.deleted,
            len(replay.checkpoint.failed),
        )


def recovery_report(result: LoadResult, *, state_lost: bool) -> dict[str, Any]:
    """What ``restore_session`` tells the client about a load that was not clean."""
    lost = list(result.lost_generations)
    if state_lost:
        message = (
            "no stored version of this session verified; it was restarted empty "
            "(metadata and state lost)"
        )
    elif result.recovered_from_backup:
        message = f"restored from backup {result.source} (save #{result.generation})"
        if lost:
            message += f"; lost the later save(s) #{', #'.join(map(str, lost))}"
        else:
            message += "; the current version was damaged or missing, later changes are lost"
    else:
        message = "current version verified; damaged older backups were set aside"
    return {
        "message": message,
        "source": result.source or None,
        "generation": result.generation,
        "lost_generations": lost,
        "state_lost": state_lost,
        "problems": list(result.problems),
    }
