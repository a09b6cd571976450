"""The durable store under the session manager, in one Trio process: group commit, lazy and
once-only loading, relaxed-mode flush, and the lock held for the store's whole life."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from stui_trio.sessions.durable_store import DurableSessionStore, DurableSettings
from stui_trio.sessions.manager import SessionManager
from stui_trio.storage import DirectoryLock, Durability, StorageLocked


class CountingStore(DurableSessionStore):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.list_calls: list[str] = []

    async def list(self, client_id: str):
        self.list_calls.append(client_id)
        await trio.sleep(0.05)  # widen the window in which a second caller could slip in
        return await super().list(client_id)


async def test_concurrent_saves_share_batches_and_reload_once(tmp_path: Path) -> None:
    settings = DurableSettings(root=tmp_path)
    async with DurableSessionStore(settings).running() as store:
        manager = SessionManager(store, timeout=60, max_per_client=5)
        assert manager.lazy
        sessions = [await manager.create(f"c{i}", tier="free", client_info={})
                    for i in range(20)]
        async with trio.open_nursery() as nursery:
            for s in sessions:
                nursery.start_soon(manager.update_state, s.client_id, s.session_id, {"v": 1})
        stats = store.stats()
        assert stats["saves_submitted"] == 40 and stats["failed_saves"] == 0
        assert stats["write_batches"] < 40  # the 20 concurrent updates shared fsync rounds
        with pytest.raises(StorageLocked):  # held by this store until it stops
            DirectoryLock.acquire(tmp_path)

    async with CountingStore(settings).running() as store:
        manager = SessionManager(store, timeout=60, max_per_client=5)
        assert await manager.load_all() == 0 and manager.total_sessions == 0
        async with trio.open_nursery() as nursery:
            for _ in range(5):
                nursery.start_soon(manager.ensure_client, "c3")
        assert store.list_calls == ["c3"]
        (s3,) = manager.sessions_of("c3")
        assert s3.state["v"] == 1 and manager.total_sessions == 1


async def test_relaxed_mode_flush_makes_queued_saves_durable(tmp_path: Path) -> None:
    settings = DurableSettings(root=tmp_path, durability=Durability.RELAXED,
                               flush_interval=0.5)
    async with DurableSessionStore(settings).running() as store:
        manager = SessionManager(store, timeout=60, max_per_client=5)
        s = await manager.create("r", tier="free", client_info={})
        await manager.update_state("r", s.session_id, {"v": 2})  # acked while only queued
        assert store.stats()["files_written"] == 0
        await store.flush()  # waits for the next periodic flush
        assert store.stats()["files_written"] == 1
    async with DurableSessionStore(DurableSettings(root=tmp_path)).running() as store:
        assert (await store.load("r", s.session_id)).state["v"] == 2
