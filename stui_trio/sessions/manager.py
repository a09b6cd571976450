"""The session manager: create, find, update, close and expire sessions, enforcing ownership.

It keeps an index of live sessions in memory (loaded from the store at start) so lookups,
``validate_session`` and the statistics never wait on I/O, and writes every change through to
the :class:`~stui_trio.sessions.store.SessionStore`. It remembers recently expired ids so a
client hears ``SessionExpired`` (renew) rather than ``SessionNotFound`` (wrong id).

Loading: with an in-memory store the index is filled at start (:meth:`load_all`). With a
store that ``loads_lazily`` (the durable one) nothing is read at start; a client's sessions are
read the first time that client is seen (:meth:`ensure_client`, which every async lookup calls;
callers of the synchronous :meth:`peek` / :meth:`sessions_of` await it first).

Replies: each session carries a buffer of its recent replies (``sessions/reply_buffer.py``).
:meth:`change_replies` changes it in the index only and marks the session *unsaved*; the next
save of that session (any :meth:`update_state`, or :meth:`flush_unsaved`, which every
:meth:`sweep` runs) writes it. A handler whose reply acknowledges a durable change puts it in
the buffer before that change is saved (``update_state(before_save=...)``), so the reply is on
disk with the change.

Ownership: a session belongs to the ``client_id`` that created it; any other client gets
``AccessDenied``. The manager is used from many client tasks on one Trio loop; each method
makes its index change before its first ``await``, so no two tasks see a half-made change.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import trio

from stui_trio.protocol.errors import (
    AccessDenied,
    SessionExpired,
    SessionLimitExceeded,
    SessionNotFound,
    StorageError,
)
from stui_trio.sessions.ids import new_session_id
from stui_trio.sessions.model import Session, empty_state
from stui_trio.sessions.reply_buffer import ReplyBuffer
from stui_trio.sessions.store import SessionStore

log = logging.getLogger(__name__)


@attrs.define
class SessionCounters:
    created: int = 0
    closed: int = 0
    expired: int = 0
    sweeps: int = 0
    last_sweep_at: float | None = None
    last_sweep_expired: int = 0


class SessionManager:
    def __init__(
        self,
        store: SessionStore,
        *,
        timeout: float,
        max_per_client: int,
        expired_memory: int = 100_000,
        clock: Callable[[], float] = time.time,
        lazy: bool | None = None,
    ) -> None:
        self.store = store
        self.lazy = bool(getattr(store, "loads_lazily", False)) if lazy is None else lazy
        self.timeout = timeout
        self.max_per_client = max_per_client
        self.counters = SessionCounters()
        self._clock = clock
        self._index: dict[str, Session] = {}
        self._by_client: dict[str, set[str]] = {}
        self._expired: OrderedDict[str, str] = OrderedDict()
        self._expired_memory = expired_memory
        self._loaded_clients: set[str] = set()
        self._loading: dict[str, trio.Event] = {}
        # Sessions whose index value holds changes (kept replies) the store does not have yet.
        self._unsaved: set[str] = set()
        # Called with a session id when a session is closed or expires (the tools layer drops
        # that session's workspace then).
        self.on_session_end: list[Callable[[str], None]] = []

    async def load_all(self) -> int:
        """Fill the index from the store (at start); returns how many sessions were loaded.
        A lazy store loads nothing here (see :meth:`ensure_client`)."""
        if self.lazy:
            return 0
        for client_id in await self.store.list_clients():
            for session in await self.store.list(client_id):
                self._add(session)
        return len(self._index)

    async def ensure_client(self, client_id: str) -> None:
        """Make sure ``client_id``'s stored sessions are in the index (lazy stores only).

        Concurrent callers for one client wait for the same load; a failed load is retried by
        the next caller."""
        if not self.lazy or client_id in self._loaded_clients:
            return
        loading = self._loading.get(client_id)
        if loading is not None:
            await loading.wait()
            if client_id in self._loaded_clients:
                return
            return await self.ensure_client(client_id)
        loading = self._loading[client_id] = trio.Event()
        try:
            for session in await self.store.list(client_id):
                if session.session_id not in self._index:
                    self._add(session)
            self._loaded_clients.add(client_id)
        finally:
            del self._loading[client_id]
            loading.set()

    # -- index bookkeeping (synchronous: no await between check and change) ----------------

    def _add(self, session: Session) -> None:
        self._index[session.session_id] = session
        self._by_client.setdefault(session.client_id, set()).add(session.session_id)

    def _remove(self, session: Session) -> None:
        self._index.pop(session.session_id, None)
        self._unsaved.discard(session.session_id)
        for callback in self.on_session_end:
            callback(session.session_id)
        ids = self._by_client.get(session.client_id)
        if ids is not None:
            ids.discard(session.session_id)
            if not ids:
                del self._by_client[session.client_id]

    def _remember_expired(self, session: Session) -> None:
        if self._expired_memory <= 0:
            return
        self._expired[session.session_id] = session.client_id
        while len(self._expired) > self._expired_memory:
            self._expired.popitem(last=False)

    def now(self) -> float:
        return self._clock()

    # -- queries ---------------------------------------------------------------------------

    def sessions_of(self, client_id: str) -> list[Session]:
        ids = self._by_client.get(client_id, ())
        return sorted((self._index[i] for i in ids), key=lambda s: s.created_at)

    @property
    def total_sessions(self) -> int:
        return len(self._index)

    def active_sessions(self) -> int:
        now = self.now()
        return sum(1 for s in self._index.values() if not s.is_expired(now))

    @property
    def clients_with_sessions(self) -> int:
        return len(self._by_client)

    def peek(self, client_id: str, session_id: str) -> Session:
        """The caller's session, without touching it; raises the protocol's lookup errors.

        An expired session found here is reported ``SessionExpired``; the sweeper (or the next
        :meth:`use`) removes it.
        """
        session = self._index.get(session_id)
        if session is None:
            owner = self._expired.get(session_id)
            if owner is None:
                raise SessionNotFound(
                    f"no session {session_id!r}; it was closed or never existed. "
                    "Create one with create_session (list_client_sessions shows yours)",
                    {"session_id": session_id},
                )
            if owner != client_id:
                raise _denied(session_id)
            raise _expired(session_id)
        if session.client_id != client_id:
            raise _denied(session_id)
        if session.is_expired(self.now()):
            raise _expired(session_id)
        return session

    # -- changes ---------------------------------------------------------------------------

    async def use(self, client_id: str, session_id: str) -> Session:
        """Look up the caller's session and extend its life (it was just used)."""
        await self.ensure_client(client_id)
        try:
            session = self.peek(client_id, session_id)
        except SessionExpired:
            found = self._index.get(session_id)
            if found is not None:
                await self._expire(found)
            raise
        touched = attrs.evolve(session, last_access=max(session.last_access, self.now()))
        self._index[session_id] = touched
        return touched

    async def create(
        self, client_id: str, *, tier: str, client_info: Mapping[str, Any]
    ) -> Session:
        await self.ensure_client(client_id)
        now = self.now()
        # Expired sessions do not count against the limit: drop them first.
        for old in self.sessions_of(client_id):
            if old.is_expired(now):
                await self._expire(old)
        count = len(self._by_client.get(client_id, ()))
        if count >= self.max_per_client:
            raise SessionLimitExceeded(
                f"client {client_id!r} already has {count} open sessions, the limit is "
                f"{self.max_per_client}; close one (close_session) or restore an existing one",
                {"limit": self.max_per_client, "session_ids": [
                    s.session_id for s in self.sessions_of(client_id)
                ]},
            )
        session = Session(
            session_id=new_session_id(),
            client_id=client_id,
            created_at=now,
            last_access=now,
            last_modified=now,
            timeout=self.timeout,
            subscription_tier=tier,
            client_info=dict(client_info),
            state=empty_state(),
        )
        self._add(session)
        self.counters.created += 1
        try:
            await self._save(session)
        except BaseException:
            self._remove(session)
            self.counters.created -= 1
            raise
        return session

    async def update_state(
        self,
        client_id: str,
        session_id: str,
        state_data: Mapping[str, Any],
        *,
        before_save: Callable[[Session], Session] | None = None,
        background: bool = False,
    ) -> Session:
        """Merge ``state_data`` into the session's state (top-level keys replace) and save.

        ``before_save`` may change the updated value before it is stored and saved (the
        session command keeps its reply in the reply buffer with it). ``background``: no
        client waits for this save (a periodic flush), so a durable store lets saves that
        clients wait for go first."""
        session = await self.use(client_id, session_id)
        now = self.now()
        merged = {**session.state, **state_data}
        updated = attrs.evolve(session, state=merged, last_modified=now, last_access=now)
        if before_save is not None:
            updated = before_save(updated)
        self._index[session_id] = updated
        try:
            await self._save(updated, background=background)
        except BaseException:
            # Not acknowledged, so not applied: the next reader sees the state before it.
            if self._index.get(session_id) is updated:
                self._index[session_id] = session
            raise
        return updated

    async def replace(self, session: Session) -> None:
        """Store a changed session value (the tools layer's way to persist per-session state)."""
        current = self._index.get(session.session_id)
        if current is None:
            raise SessionNotFound(f"session {session.session_id!r} is gone")
        # The reply buffer is the manager's: a caller's older copy must not roll it back.
        session = attrs.evolve(session, replies=current.replies)
        self._index[session.session_id] = session
        await self._save(session)

    def change_replies(
        self, session_id: str, change: Callable[[ReplyBuffer], ReplyBuffer]
    ) -> bool:
        """Apply ``change`` to a live session's reply buffer, in memory (saved with the
        session's next save); False if the session is gone."""
        session = self._index.get(session_id)
        if session is None:
            return False
        replies = change(session.replies)
        if replies is not session.replies:
            self._index[session_id] = attrs.evolve(session, replies=replies)
            self._unsaved.add(session_id)
        return True

    @property
    def unsaved(self) -> int:
        """How many sessions hold changes (kept replies) not saved yet."""
        return len(self._unsaved)

    async def flush_unsaved(self) -> int:
        """Save every session holding unsaved changes, side by side (so a durable store's
        group commit batches them); failures are logged and retried at the next flush.
        Answers how many were saved."""
        saved = 0

        async def save(session: Session) -> None:
            nonlocal saved
            try:
                await self._save(session, background=True)
                saved += 1
            except Exception as exc:  # the flush must not fail the sweep that runs it
                log.warning("saving session %s failed: %s", session.session_id, exc)

        pending = [self._index[i] for i in list(self._unsaved) if i in self._index]
        async with trio.open_nursery() as nursery:
            for session in pending:
                nursery.start_soon(save, session)
        return saved

    async def close(self, client_id: str, session_id: str) -> None:
        await self.ensure_client(client_id)
        session = self.peek(client_id, session_id)
        self._remove(session)
        self.counters.closed += 1
        await self.store.delete(session.client_id, session.session_id)

    async def _save(self, session: Session, *, background: bool = False) -> None:
        # The value saved holds everything the index had: changes from here on mark it again.
        self._unsaved.discard(session.session_id)
        try:
            await self._store_save(session, background=background)
        except BaseException:
            if session.session_id in self._index:
                self._unsaved.add(session.session_id)
            raise

    async def _store_save(self, session: Session, *, background: bool = False) -> None:
        try:
            await self.store.save(session, background=background)
        except OSError as exc:
            raise StorageError(
                f"could not store session {session.session_id!r} ({exc.strerror or exc}); the "
                "change was not applied - retry, and tell the operator if it persists",
                {"session_id": session.session_id},
            ) from exc

    async def _expire(self, session: Session) -> None:
        if self._index.get(session.session_id) is None:
            return
        self._remove(session)
        self._remember_expired(session)
        self.counters.expired += 1
        await self.store.delete(session.client_id, session.session_id)

    async def sweep(self) -> list[Session]:
        """Expire every session whose timeout passed; returns them (the sweeper's job)."""
        now = self.now()
        gone = [s for s in self._index.values() if s.is_expired(now)]
        for session in gone:
            await self._expire(session)
        self.counters.sweeps += 1
        self.counters.last_sweep_at = now
        self.counters.last_sweep_expired = len(gone)
        await self.flush_unsaved()
        return gone


def _denied(session_id: str) -> AccessDenied:
    return AccessDenied(
        f"session {session_id!r} belongs to another client; a client may only use the "
        "sessions it created (check client_id)",
        {"session_id": session_id},
    )


def _expired(session_id: str) -> SessionExpired:
    return SessionExpired(
        f"session {session_id!r} expired (unused for longer than its timeout); create a new "
        "one with create_session",
        {"session_id": session_id},
    )
