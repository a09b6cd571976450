"""The session manager's rules, on the in-memory store with a controllable clock."""

from __future__ import annotations

import pytest

from stui_trio.protocol.errors import (
    AccessDenied,
    SessionExpired,
    SessionLimitExceeded,
    SessionNotFound,
    StorageError,
)
from stui_trio.sessions.ids import new_session_id
from stui_trio.sessions.manager import SessionManager
from stui_trio.sessions.store import InMemorySessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock, store: InMemorySessionStore | None = None, **kw) -> SessionManager:
    return SessionManager(
        store or InMemorySessionStore(), timeout=kw.get("timeout", 100.0),
        max_per_client=kw.get("max_per_client", 2), clock=clock,
        expired_memory=kw.get("expired_memory", 10),
    )


def test_ids_are_long_and_distinct() -> None:
    ids = {new_session_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 32 for i in ids)


async def test_create_limit_and_ownership() -> None:
    clock = Clock()
    manager = make(clock)
    a1 = await manager.create("a", tier="free", client_info={})
    await manager.create("a", tier="free", client_info={})
    with pytest.raises(SessionLimitExceeded):
        await manager.create("a", tier="free", client_info={})
    await manager.create("b", tier="free", client_info={})  # limits are per client
    with pytest.raises(AccessDenied):
        manager.peek("b", a1.session_id)
    with pytest.raises(SessionNotFound):
        manager.peek("a", "nope")


async def test_expiry_sliding_and_sweep() -> None:
    clock = Clock()
    store = InMemorySessionStore()
    manager = make(clock, store)
    s = await manager.create("a", tier="free", client_info={})
    clock.now += 60
    await manager.use("a", s.session_id)  # extends life
    clock.now += 60
    assert manager.peek("a", s.session_id).session_id == s.session_id
    clock.now += 101
    with pytest.raises(SessionExpired):
        manager.peek("a", s.session_id)
    swept = await manager.sweep()
    assert [x.session_id for x in swept] == [s.session_id]
    assert manager.counters.expired == 1 and manager.total_sessions == 0
    assert await store.list("a") == []
    with pytest.raises(SessionExpired):
        await manager.use("a", s.session_id)
    with pytest.raises(AccessDenied):
        manager.peek("b", s.session_id)


async def test_expired_sessions_do_not_count_against_limit() -> None:
    clock = Clock()
    manager = make(clock, max_per_client=1)
    await manager.create("a", tier="free", client_info={})
    clock.now += 200
    await manager.create("a", tier="free", client_info={})
    assert manager.counters.expired == 1


async def test_update_merges_and_persists_then_reload() -> None:
    clock = Clock()
    store = InMemorySessionStore()
    manager = make(clock, store)
    s = await manager.create("a", tier="pro", client_info={"platform": "x"})
    await manager.update_state("a", s.session_id, {"workspace_context": {"x": 1}, "k": [1]})
    await manager.update_state("a", s.session_id, {"history": [{"seq": 1}]})
    again = make(clock, store)
    assert await again.load_all() == 1
    state = again.peek("a", s.session_id).state
    assert state["workspace_context"] == {"x": 1} and state["k"] == [1]
    assert state["history"] == [{"seq": 1}] and state["transcript"] == []


async def test_close_forgets() -> None:
    clock = Clock()
    manager = make(clock)
    s = await manager.create("a", tier="free", client_info={})
    await manager.close("a", s.session_id)
    with pytest.raises(SessionNotFound):
        manager.peek("a", s.session_id)
    assert manager.counters.closed == 1 and manager.sessions_of("a") == []


async def test_expired_memory_is_bounded() -> None:
    clock = Clock()
    manager = make(clock, max_per_client=100, expired_memory=3)
    made = [await manager.create("a", tier="free", client_info={}) for _ in range(5)]
    clock.now += 1000
    await manager.sweep()
    with pytest.raises(SessionNotFound):
        manager.peek("a", made[0].session_id)
    with pytest.raises(SessionExpired):
        manager.peek("a", made[-1].session_id)


class FailingStore(InMemorySessionStore):
    """A store whose disk fills up after ``ok_saves`` saves (stands in for a full disk)."""

    def __init__(self, ok_saves: int) -> None:
        super().__init__()
        self.ok_saves = ok_saves

    async def save(self, session, *, background: bool = False) -> None:
        if self.ok_saves <= 0:
            raise OSError(28, "No space left on device")
        self.ok_saves -= 1
        await super().save(session, background=background)


async def test_storage_failure_is_storage_error_and_not_applied() -> None:
    clock = Clock()
    store = FailingStore(ok_saves=1)
    manager = make(clock, store)
    s = await manager.create("a", tier="free", client_info={})
    with pytest.raises(StorageError, match="No space left"):
        await manager.update_state("a", s.session_id, {"workspace_context": {"x": 1}})
    assert manager.peek("a", s.session_id).state["workspace_context"] == {}
    with pytest.raises(StorageError):
        await manager.create("a", tier="free", client_info={})
    assert len(manager.sessions_of("a")) == 1 and manager.counters.created == 1
