"""The shared image's change log: user classes and methods survive restarts.

In durable mode the server keeps ``<sessions_dir>/image.changes`` (``storage/image_changes.py``:
append-only, one checksummed entry per change, a torn tail cut off and quarantined at open).
:meth:`ImageLog.running` - entered by the durable store right after it takes the directory
lock - opens the log, replays every entry into the image with ``image.apply_change`` (a bad
entry is logged and skipped, never fatal), and only then starts listening to
``image.on_change``, so a replay is not logged twice. Before that, when at least
``compact_min_superseded`` entries are superseded (the server setting
``change_log_compact_min_superseded``; 0: never), it rewrites the log with only the live ones
(``change_compaction.py`` chooses them, ``ChangeLog.compact`` replaces the file atomically; a
failure is logged, never fatal).
:func:`compact_change_log` does the same offline for ``python -m stui_trio --compact-changes``.

Each change is one STON object::

    ImageChange{#kind:#compile_method,#class_name:'Foo',#selector:'bar',#source:'bar ^1',
                #category:'demo',#meta:false}

The engine calls the listener in the evaluation's worker thread, so the listener only queues
the encoded entry (under a thread lock). The tools call :meth:`commit` in the request's
handler before replying: it appends everything queued so far with one write and one fsync
(group commit: changes of concurrent requests share it) and returns once that is durable. A
failed append puts the entries back (the next commit retries them) and raises, so the client
is never told a change is saved when it is not.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import trio

from stui_trio.config import ServerConfig
from stui_trio.protocol.errors import StorageError as ProtocolStorageError
from stui_trio.sessions.change_compaction import CompactionPlan, LoggedChange, plan_compaction
from stui_trio.smalltalk import ImageChange
from stui_trio.storage.image_changes import ChangeEntry, ChangeLog
from stui_trio.storage.lock import DirectoryLock
from stui_trio.storage.ston import StonMap, StonObject, Symbol, dumps, load_bytes

log = logging.getLogger(__name__)

TAG = "ImageChange"
#: The change log's file name in the sessions directory.
IMAGE_CHANGES_NAME = "image.changes"
FIELDS = ("kind", "class_name", "selector", "source", "category", "meta")


def encode_change(change: Any) -> bytes:
    """The STON payload of one engine ``ImageChange``."""
    doc = StonMap([
        (Symbol("kind"), Symbol(change.kind)),
        (Symbol("class_name"), change.class_name),
        (Symbol("selector"), change.selector),
        (Symbol("source"), change.source),
        (Symbol("category"), change.category),
        (Symbol("meta"), bool(change.meta)),
    ])
    return dumps(StonObject(TAG, doc)).encode("utf-8")


def decode_change(payload: bytes) -> dict[str, Any]:
    """The fields of a logged change; ValueError when the payload is not one."""
    top = load_bytes(payload)
    if not isinstance(top, StonObject) or top.tag != TAG or not top.is_map:
        raise ValueError(f"not an {TAG}{{...}} entry")
    doc = top.value
    assert isinstance(doc, StonMap)
    fields: dict[str, Any] = {}
    for name in FIELDS:
        value = doc.get(Symbol(name))
        fields[name] = value.name if isinstance(value, Symbol) else value
    if not isinstance(fields["kind"], str) or not isinstance(fields["class_name"], str):
        raise ValueError("an entry needs a #kind and a #class_name")
    for name in ("selector", "source", "category"):
        fields[name] = fields[name] if isinstance(fields[name], str) else ""
    fields["meta"] = fields["meta"] is True
    return fields


#: Compact at start once this many entries are superseded (ServerConfig owns the default).
DEFAULT_COMPACT_MIN_SUPERSEDED: int = attrs.fields_dict(ServerConfig)[
    "change_log_compact_min_superseded"
].default


@attrs.frozen
class Compaction:
    """What one compaction did (``compacted`` False: nothing written; ``reason`` says why)."""

    compacted: bool
    entries_before: int
    entries_after: int
    bytes_before: int
    bytes_after: int
    reason: str = ""
    #: True when the log holds entries this version does not understand (never compacted).
    refused: bool = False

    def describe(self) -> str:
        if not self.compacted:
            return f"change log not compacted: {self.reason}"
        return (
            f"change log compacted: {self.entries_before} -> {self.entries_after} entries, "
            f"{self.bytes_before} -> {self.bytes_after} bytes"
        )


def logged_changes(entries: list[ChangeEntry]) -> list[LoggedChange]:
    """The entries with their decoded fields (None where an entry does not decode)."""
    out = []
    for entry in entries:
        try:
            fields: dict[str, Any] | None = decode_change(entry.payload)
        except Exception:  # any damage inside a checksummed payload: leave it undecoded
            fields = None
        out.append(LoggedChange(entry.seq, entry.payload, fields))
    return out


def compact_if_superseded(
    change_log: ChangeLog, changes: list[LoggedChange], min_superseded: int
) -> Compaction:
    """Rewrite ``change_log`` with its live entries if at least ``min_superseded`` (>= 1) of
    ``changes`` (all of its entries, as just read) are superseded."""
    plan: CompactionPlan = plan_compaction(changes)
    size = change_log.size
    if plan.refused or plan.superseded < max(1, min_superseded):
        why = plan.refused or (
            f"{plan.superseded} of {plan.total} entries superseded (threshold {min_superseded})"
        )
        return Compaction(False, plan.total, plan.total, size, size, why, bool(plan.refused))
    change_log.compact(plan.keep)
    return Compaction(True, plan.total, len(plan.keep), size, change_log.size)


def compact_change_log(path: Path, *, min_superseded: int = 1) -> tuple[Compaction, str | None]:
    """Offline compaction of ``<sessions_dir>/image.changes`` (``--compact-changes``).

    Takes the sessions directory's lock first (``StorageLocked`` if a server holds it), opens
    the log - which cuts off and quarantines a torn tail, as at server start - and compacts.
    Answers what was done and the tail repair's description (or None)."""
    path = Path(path)
    with DirectoryLock.acquire(path.parent):
        change_log = ChangeLog.open(path)
        repair = change_log.repair.describe() if change_log.repair is not None else None
        changes = logged_changes(list(change_log.entries()))
        return compact_if_superseded(change_log, changes, min_superseded), repair


class ImageLog:
    """The change log of one image in one sessions directory (see module docstring)."""

    def __init__(
        self, path: Path, image: Any, *,
        compact_min_superseded: int = DEFAULT_COMPACT_MIN_SUPERSEDED,
    ) -> None:
        self.path = path
        self.image = image
        self.compact_min_superseded = compact_min_superseded
        self.compaction: Compaction | None = None
        self.replayed = 0
        self.skipped: list[str] = []
        self.repair: str | None = None
        self.appended = 0
        self.commits = 0
        self._log: ChangeLog | None = None
        self._queued: list[bytes] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = trio.Lock()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ImageLog]:
        """Open and replay the log, then record changes until exit (call with the lock held)."""
        self._log = await trio.to_thread.run_sync(ChangeLog.open, self.path)
        if self._log.repair is not None:
            self.repair = self._log.repair.describe()
            log.warning("image change log: %s", self.repair)
        changes = await trio.to_thread.run_sync(self._replay)
        if self.compact_min_superseded > 0:
            await trio.to_thread.run_sync(self._compact, changes)
        self.image.on_change(self._record)
        try:
            yield self
        finally:
            with contextlib.suppress(ValueError):
                self.image.listeners.remove(self._record)
            with trio.CancelScope(shield=True), contextlib.suppress(ProtocolStorageError):
                await self.commit()
            self._log = None

    def _replay(self) -> list[LoggedChange]:
        """(worker thread) Apply every logged change, oldest first; skip and report bad ones.
        Answers the entries read, decoded (for the compaction)."""
        assert self._log is not None
        changes: list[LoggedChange] = []
        for entry in self._log.entries():
            fields: dict[str, Any] | None = None
            try:
                fields = decode_change(entry.payload)
                change = ImageChange(**fields)
                if change.kind != "define_class" and change.class_name not in self.image.globals:
                    raise LookupError(f"class {change.class_name} is missing")
                self.image.apply_change(change)
                self.replayed += 1
            except Exception as exc:  # one bad entry must not keep the server down
                note = f"entry {entry.seq}: {type(exc).__name__}: {exc}"
                self.skipped.append(note[:300])
                log.error("image change log: skipped %s", note)
            changes.append(LoggedChange(entry.seq, entry.payload, fields))
        if self.replayed or self.skipped:
            log.info("image change log: replayed %d changes (%d skipped)",
                     self.replayed, len(self.skipped))
        return changes

    def _compact(self, changes: list[LoggedChange]) -> None:
        """(worker thread, before any change is recorded) Compact if enough is superseded."""
        assert self._log is not None
        try:
            self.compaction = compact_if_superseded(
                self._log, changes, self.compact_min_superseded
            )
        except Exception as exc:  # the old log is intact: serve on, compact next time
            log.warning("image change log: compaction failed, log left as it was: %s", exc)
            return
        if self.compaction.compacted:
            log.info("image %s", self.compaction.describe())

    def _record(self, change: Any) -> None:
        """The image's change listener (any thread): queue the entry for the next commit."""
        payload = encode_change(change)
        with self._queue_lock:
            self._queued.append(payload)

    @property
    def pending(self) -> int:
        return len(self._queued)

    async def commit(self) -> int:
        """Make every change queued so far durable; answers how many this call appended."""
        if not self._queued and not self._commit_lock.locked():
            return 0  # nothing queued, nothing in flight: no trip through the scheduler
        async with self._commit_lock:
            with self._queue_lock:
                batch, self._queued = self._queued, []
            if not batch:
                return 0
            if self._log is None:
                self._requeue(batch)
                raise ProtocolStorageError("the image change log is not open")
            try:
                await trio.to_thread.run_sync(self._log.append_many, batch)
            except Exception as exc:
                self._requeue(batch)
                raise ProtocolStorageError(
                    f"the change was made but could not be logged durably ({exc}); it is "
                    "retried with the next change - tell the operator if this persists",
                    {"reason": "change_log_failed"},
                ) from exc
            self.appended += len(batch)
            self.commits += 1
            return len(batch)

    def _requeue(self, batch: list[bytes]) -> None:
        with self._queue_lock:
            self._queued[:0] = batch

    def stats(self) -> dict[str, Any]:
        """For system_info's image section."""
        return {
            "change_log": str(self.path),
            "image_changes_replayed": self.replayed,
            "image_changes_skipped": list(self.skipped),
            "image_changes_appended": self.appended,
            "image_change_commits": self.commits,
            "image_change_log_repair": self.repair,
            "image_change_log_compaction": (
                attrs.asdict(self.compaction)
                if self.compaction is not None and self.compaction.compacted else None
            ),
        }
