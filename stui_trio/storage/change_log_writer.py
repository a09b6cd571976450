"""Group commit for the image change log, on Trio.

:class:`ChangeLogWriter` runs in a nursery (``await nursery.start(writer.run)``). Tasks call
``seq = await writer.append(payload)``; entries that arrive within ``window`` seconds are
appended with one write and one fsync (:meth:`ChangeLog.append_many`) in a worker thread, in
arrival order, and each caller gets its sequence number only once its entry is durable. If
the batch fails, every caller in it gets the error and none of its entries stays in the log
(``append_many`` truncates a failed append away). On cancellation the writer appends what
is still queued, shielded, then refuses new entries with :class:`WriterClosed`.
"""

from __future__ import annotations

import attrs
import trio

from .errors import WriterClosed
from .image_changes import ChangeLog


@attrs.define
class _Entry:
    payload: bytes
    done: trio.Event = attrs.field(factory=trio.Event)
    seq: int | None = None
    error: BaseException | None = None


class ChangeLogWriter:
    """Batches change-log appends into shared fsyncs (see module docstring)."""

    def __init__(self, log: ChangeLog, *, window: float = 0.002) -> None:
        self.log = log
        self.window = window
        self.batches = 0
        self._queue: list[_Entry] = []
        self._wakeup = trio.Event()
        self._running = False

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        self._running = True
        task_status.started()
        try:
            while True:
                await self._wakeup.wait()
                await trio.sleep(self.window)
                await self._write_queued()
        finally:
            self._running = False
            with trio.CancelScope(shield=True):
                await self._write_queued()

    async def append(self, payload: bytes) -> int:
        """Append one entry durably; return its sequence number (or raise the error)."""
        if not self._running:
            raise WriterClosed("the change log writer is not running")
        entry = _Entry(payload)
        self._queue.append(entry)
        self._wakeup.set()
        await entry.done.wait()
        if entry.error is not None:
            raise entry.error
        assert entry.seq is not None
        return entry.seq

    async def _write_queued(self) -> None:
        batch, self._queue = self._queue, []
        self._wakeup = trio.Event()
        if not batch:
            return
        try:
            seqs = await trio.to_thread.run_sync(
                self.log.append_many, [e.payload for e in batch]
            )
        except Exception as exc:
            for entry in batch:
                entry.error = exc
                entry.done.set()
            return
        finally:
            self.batches += 1
        for entry, seq in zip(batch, seqs, strict=True):
            entry.seq = seq
            entry.done.set()
