"""Group commit: many saves, one fsync round, every waiter acknowledged only when durable.

:class:`DurableWriter` is a Trio component that runs in a nursery (``nursery.start(w.run)``).
Tasks call ``await writer.save(client_id, session_id, payload)``; the writer waits a small
window (``window`` seconds, a few ms) for more saves to arrive, then hands the whole batch to
:meth:`SessionFileStore.save_many`, split over ``parallelism`` worker threads: write and fsync
every temp file, rotate and rename each, fsync each distinct folder once per thread. Only
then are the waiters released, each with its :class:`SaveResult` or the error that made its
save fail. The event loop never blocks on disk I/O.

With a ``journal`` (``journal.py``; full durability only), a batch writes no session file at
all: every save of the batch (and every deletion's tombstone) is appended to the journal as a
checksummed record, with one write and one fsync for the batch, and then the waiters are
released. The saved states are kept in memory by the file store (``load`` answers them) until
a checkpointer task, started by :meth:`DurableWriter.run` next to the writer loop, writes each
journaled session's newest state to its file every ``checkpoint_interval`` seconds, fsyncs
them, and deletes the journal segments that are then redundant (``checkpoint.py``); after a
crash, start-up replay writes any file the journal knows to be newer than the disk. A session
saved a hundred times between two checkpoints costs a hundred journal records (sharing their
batches' fsyncs) and one file write.

Two saves of the same session in one window are merged: only the newest payload is written,
and both waiters are acknowledged with its result once it is durable (the older state was
never durable on its own, and never needs to be). Saves that arrive while a batch is being
written go into the next batch, so per-session order is kept.

Durability modes:

* ``Durability.FULL`` (default): ``save`` returns only after the data is on disk.
* ``Durability.RELAXED``: ``save`` returns ``None`` as soon as the save is queued, and the
  writer flushes every ``flush_interval`` seconds. Faster, but a crash can lose the last
  ``flush_interval`` of acknowledged saves, and a failed write cannot be reported to the task
  that submitted it (it is counted in :attr:`DurableWriter.failed_saves` and kept in
  :attr:`DurableWriter.last_error`). ``await writer.flush()`` waits until everything queued
  so far is durable.

When the writer's task is cancelled (shutdown) it writes what is still queued, shielded, and
then fails any later ``save`` with :class:`WriterClosed`.
"""

from __future__ import annotations

import enum
import logging

import attrs
import trio

from .checkpoint import checkpoint_round
from .errors import StorageError, WriterClosed
from .journal import DELETE, SAVE, Journal, Record
from .names import session_file_name
from .session_files import SaveRequest, SaveResult, SessionFileStore

log = logging.getLogger(__name__)


class Durability(enum.Enum):
    FULL = "full"
    RELAXED = "relaxed"


@attrs.define
class _Waiter:
    done: trio.Event = attrs.field(factory=trio.Event)
    result: SaveResult | None = None
    error: BaseException | None = None


@attrs.define
class _Pending:
    payload: bytes | None  # None: delete the session
    waiters: list[_Waiter]
    urgent: bool = True  # False while only background saves (a periodic flush) wait on it


@attrs.frozen
class _Delete:
    client_id: str
    session_id: str


#: What one request of a batch came to: a save's result, None for a deletion, or the error.
_Outcome = SaveResult | StorageError | None


@attrs.frozen
class WriterStats:
    """Counters since start: saves submitted, batches run, files written, saves merged."""

    submitted: int
    batches: int
    files_written: int
    merged: int


class DurableWriter:
    """Batches saves into shared fsync rounds (see module docstring)."""

    def __init__(
        self,
        store: SessionFileStore,
        *,
        window: float = 0.002,
        durability: Durability = Durability.FULL,
        flush_interval: float = 0.05,
        max_batch: int = 256,
        parallelism: int = 4,
        limiter: trio.CapacityLimiter | None = None,
        journal: Journal | None = None,
        checkpoint_interval: float = 0.25,
    ) -> None:
        self.store = store
        self.journal = journal if durability is Durability.FULL else None
        self.checkpoint_interval = checkpoint_interval
        self.window = window
        self.durability = durability
        self.flush_interval = flush_interval
        self.max_batch = max_batch
        self.parallelism = max(1, parallelism)
        self._limiter = limiter
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._wakeup = trio.Event()
        self._progress = trio.Event()
        self._running = False
        self._submitted = 0
        self._durable_upto = 0
        self._batches = 0
        self._files = 0
        self._merged = 0
        self.failed_saves = 0
        self.last_error: BaseException | None = None
        self.checkpoints = 0
        self._checkpointed_appends = 0

    @property
    def stats(self) -> WriterStats:
        return WriterStats(self._submitted, self._batches, self._files, self._merged)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """The writer loop; run it in a nursery with ``await nursery.start(writer.run)``."""
        self._running = True
        task_status.started()
        try:
            async with trio.open_nursery() as nursery:
                if self.journal is not None:
                    nursery.start_soon(self._checkpoint_loop)
                while True:
                    await self._wakeup.wait()
                    relaxed = self.durability is Durability.RELAXED
                    await trio.sleep(self.flush_interval if relaxed else self.window)
                    await self._write_pending()
        finally:
            self._running = False
            with trio.CancelScope(shield=True):
                await self._write_pending()
                if self.journal is not None:  # a clean stop leaves the files synced
                    await self._checkpoint()

    async def _checkpoint_loop(self) -> None:
        while True:
            await trio.sleep(self.checkpoint_interval)
            await self._checkpoint()

    async def _checkpoint(self) -> None:
        """One checkpoint round in a worker thread, when anything was written since the
        last one. A failure is logged and retried next round: the journal still holds it."""
        journal = self.journal
        assert journal is not None
        appends = journal.appends
        if not journal.dirty and appends == self._checkpointed_appends:
            return
        try:
            report = await trio.to_thread.run_sync(
                checkpoint_round, self.store, journal, limiter=self._limiter
            )
        except (OSError, StorageError) as exc:
            self.last_error = exc
            log.error("journal checkpoint failed (will retry): %s", exc)
            return
        self.checkpoints += 1
        if not report.failed:
            self._checkpointed_appends = appends
        else:
            log.error("journal checkpoint: %d failures (will retry): %s",
                      len(report.failed), report.failed[0])

    async def save(
        self, client_id: str, session_id: str, payload: bytes, *, background: bool = False
    ) -> SaveResult | None:
        """Queue a save; in FULL mode wait until it is durable and return its result.

        Raises the save's :class:`StorageError` if it failed, :class:`WriterClosed` if the
        writer is not running. In RELAXED mode returns None once queued. A ``background``
        save (nobody is waiting for a reply on it) yields to the others: each batch takes
        the saves clients wait for first, and at most ``max_batch`` saves, so a periodic
        flush of a thousand sessions never holds up an acknowledgement for long.
        """
        session_file_name(client_id, session_id)  # bad ids fail here, not in the batch
        if not self._running:
            raise WriterClosed("the durable writer is not running")
        waiter = None if self.durability is Durability.RELAXED else _Waiter()
        key = (client_id, session_id)
        entry = self._pending.get(key)
        if entry is None:
            entry = self._pending[key] = _Pending(payload, [], urgent=not background)
        else:
            entry.payload = payload
            entry.urgent = entry.urgent or not background
            self._merged += 1
        if waiter is not None:
            self._pending[key].waiters.append(waiter)
        self._submitted += 1
        self._wakeup.set()
        if waiter is None:
            return None
        await waiter.done.wait()
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    async def delete(self, client_id: str, session_id: str) -> None:
        """Delete a session's files in the next batch (its tombstone journaled with the
        batch's saves); returns once the deletion is durable. A save of the session queued
        earlier is superseded: its waiters are released when the deletion is durable."""
        session_file_name(client_id, session_id)
        if not self._running:
            raise WriterClosed("the durable writer is not running")
        waiter = _Waiter()
        key = (client_id, session_id)
        entry = self._pending.get(key)
        if entry is None:
            entry = self._pending[key] = _Pending(None, [])
        else:
            entry.payload = None
            entry.urgent = True  # a client waits for its close
            self._merged += 1
        entry.waiters.append(waiter)
        self._submitted += 1
        self._wakeup.set()
        await waiter.done.wait()
        if waiter.error is not None:
            raise waiter.error

    async def flush(self) -> None:
        """Wait until every save queued before this call is durable (or has failed)."""
        target = self._submitted
        self._wakeup.set()
        while self._durable_upto < target:
            if not self._running and not self._pending:
                raise WriterClosed("the durable writer stopped before flushing")
            await self._progress.wait()

    async def _write_pending(self) -> None:
        """Write one batch: the waited-for saves first, at most ``max_batch`` in all."""
        upto = self._submitted
        part = sorted(self._pending.items(), key=lambda item: not item[1].urgent)
        if len(part) > self.max_batch:  # the rest waits for the next round, wakeup kept set
            part = part[: self.max_batch]
            for key, _ in part:
                del self._pending[key]
        else:
            self._pending = {}
            self._wakeup = trio.Event()
        drained = not self._pending
        if part and self.journal is not None:  # nothing to overlap: one journal append
            await self._write_chunk(part)
        elif part:
            # fsync waits on the device, not the CPU: a few threads let the file system
            # merge their flushes into one journal commit. A client's sessions share a lane,
            # so each folder is still fsynced once per batch.
            clients = sorted({client for (client, _), _ in part})
            lane_of = {client: i % self.parallelism for i, client in enumerate(clients)}
            lanes: list[list[tuple[tuple[str, str], _Pending]]] = [
                [] for _ in range(self.parallelism)
            ]
            for item in part:
                lanes[lane_of[item[0][0]]].append(item)
            async with trio.open_nursery() as nursery:
                for lane in lanes:
                    if lane:
                        nursery.start_soon(self._write_chunk, lane)
        if part:
            self._batches += 1
        if drained:  # everything submitted before this round is written now
            self._durable_upto = upto
        self._progress.set()
        self._progress = trio.Event()

    async def _write_chunk(self, items: list[tuple[tuple[str, str], _Pending]]) -> None:
        requests = [
            _Delete(c, s) if entry.payload is None else SaveRequest(c, s, entry.payload)
            for (c, s), entry in items
        ]
        results: list[_Outcome] | list[BaseException]
        try:
            results = await trio.to_thread.run_sync(
                self._save_chunk, requests, limiter=self._limiter
            )
        except Exception as exc:  # a bug or unexpected OS error: every waiter must hear it
            results = [exc] * len(requests)
        for (_, entry), result in zip(items, results, strict=True):
            if isinstance(result, BaseException):
                self.failed_saves += 1
                self.last_error = result
            else:
                self._files += 1
            for waiter in entry.waiters:
                if isinstance(result, BaseException):
                    waiter.error = result
                else:
                    waiter.result = result
                waiter.done.set()

    def _save_chunk(self, requests: list[SaveRequest | _Delete]) -> list[_Outcome]:
        """(worker thread) Write one lane. Without a journal: fsynced files (and deletions).
        With one: number the saves, append them and the deletions' tombstones to the journal
        with one write and one fsync (the acknowledgement), and leave the files to the next
        checkpoint (``checkpoint.py``), which writes each session once however often it
        was saved meanwhile."""
        journal = self.journal
        saves = [r for r in requests if isinstance(r, SaveRequest)]
        if journal is None:
            written = iter(self.store.save_many(saves))
            outcomes: list[_Outcome] = []
            for r in requests:
                if isinstance(r, _Delete):
                    self.store.delete(r.client_id, r.session_id)
                    outcomes.append(None)
                else:
                    outcomes.append(next(written))
            return outcomes
        with journal.lock:
            planned = iter(self.store.plan_deferred(saves))
            outcomes = [None if isinstance(r, _Delete) else next(planned) for r in requests]
            records = [
                Record(DELETE, r.client_id, r.session_id, 0) if isinstance(r, _Delete)
                else Record(SAVE, r.client_id, r.session_id, o.generation, r.payload)
                for r, o in zip(requests, outcomes, strict=True)
                if not isinstance(o, StorageError)
            ]
            try:
                journal.append(records)
            except StorageError as exc:
                return [o if isinstance(o, StorageError) else exc for o in outcomes]
            for r, o in zip(requests, outcomes, strict=True):
                if isinstance(r, _Delete):
                    self.store.delete(r.client_id, r.session_id, journaled=True)
                elif isinstance(o, SaveResult):
                    self.store.defer(r, o)
            journal.dirty.update((r.client_id, r.session_id) for r in requests)
        return outcomes
