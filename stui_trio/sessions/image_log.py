"""The shared image's change log: user classes and methods survive restarts.

In durable mode the server keeps ``<sessions_dir>/image.changes`` (``storage/image_changes.py``:
append-only, one checksummed entry per change, a torn tail cut off and quarantined at open).
:meth:`ImageLog.running` - entered by the durable store right after it takes the directory
lock - opens the log, replays every entry into the image with ``image.apply_change`` (a bad
entry is logged and skipped, never fatal), and only then starts listening to
``image.on_change``, so a replay is not logged twice.

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

import trio

from stui_trio.protocol.errors import StorageError as ProtocolStorageError
from stui_trio.smalltalk import ImageChange
from stui_trio.storage.image_changes import ChangeLog
from stui_trio.storage.ston import StonMap, StonObject, Symbol, dumps, load_bytes

log = logging.getLogger(__name__)

TAG = "ImageChange"
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


class ImageLog:
    """The change log of one image in one sessions directory (see module docstring)."""

    def __init__(self, path: Path, image: Any) -> None:
        self.path = path
        self.image = image
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
        await trio.to_thread.run_sync(self._replay)
        self.image.on_change(self._record)
        try:
            yield self
        finally:
            with contextlib.suppress(ValueError):
                self.image.listeners.remove(self._record)
            with trio.CancelScope(shield=True), contextlib.suppress(ProtocolStorageError):
                await self.commit()
            self._log = None

    def _replay(self) -> None:
        """(worker thread) Apply every logged change, oldest first; skip and report bad ones."""
        assert self._log is not None

        for entry in self._log.entries():
            try:
                change = ImageChange(**decode_change(entry.payload))
                if change.kind != "define_class" and change.class_name not in self.image.globals:
                    raise LookupError(f"class {change.class_name} is missing")
                self.image.apply_change(change)
                self.replayed += 1
            except Exception as exc:  # one bad entry must not keep the server down
                note = f"entry {entry.seq}: {type(exc).__name__}: {exc}"
                self.skipped.append(note[:300])
                log.error("image change log: skipped %s", note)
        if self.replayed or self.skipped:
            log.info("image change log: replayed %d changes (%d skipped)",
                     self.replayed, len(self.skipped))

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
        }
