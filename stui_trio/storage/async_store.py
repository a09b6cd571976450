"""Trio façade over :class:`~stui_trio.storage.session_files.SessionFileStore`.

Every method runs the blocking store call in a worker thread (``trio.to_thread.run_sync``),
so file I/O and fsync never block the event loop. Thread calls are not abandoned on
cancellation: a save that has started always finishes (or fails) before the awaiting task
sees ``Cancelled``, so a cancelled save is never half-done, and never acknowledged either.
Saves of one session are serialised by the store's own per-session lock.

For many concurrent saves prefer :class:`~stui_trio.storage.group_commit.DurableWriter`,
which shares one fsync round among all saves that arrive within a few milliseconds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import trio

from .session_files import LoadResult, SaveResult, SessionFileStore

T = TypeVar("T")


class AsyncSessionStore:
    """Async methods with the same names and meaning as the sync store's."""

    def __init__(self, store: SessionFileStore, limiter: trio.CapacityLimiter | None = None):
        self.store = store
        self._limiter = limiter

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await trio.to_thread.run_sync(functools.partial(fn, *args), limiter=self._limiter)

    async def save(self, client_id: str, session_id: str, payload: bytes) -> SaveResult:
        return await self._run(self.store.save, client_id, session_id, payload)

    async def load(self, client_id: str, session_id: str) -> LoadResult | None:
        return await self._run(self.store.load, client_id, session_id)

    async def delete(self, client_id: str, session_id: str) -> bool:
        return await self._run(self.store.delete, client_id, session_id)

    async def list_sessions(self, client_id: str) -> list[str]:
        return await self._run(self.store.list_sessions, client_id)

    async def list_clients(self) -> list[str]:
        return await self._run(self.store.list_clients)

    async def disk_usage(self, client_id: str) -> int:
        return await self._run(self.store.disk_usage, client_id)

    async def remove_older_than(self, age: float) -> list[Path]:
        return await self._run(self.store.remove_older_than, age)
