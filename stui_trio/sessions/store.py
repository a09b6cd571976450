"""Where sessions are kept: the :class:`SessionStore` interface and an in-memory store.

The session manager talks only to this interface, so the durable store (STON files under
``sessions/<client_id>/``, built in ``stui_trio.storage``) plugs in without touching it. All
methods are async because the durable one does file I/O off the event loop. ``save`` returns
only once the session is as durable as the store can make it: the server acknowledges
``update_session_state`` after it.
"""

from __future__ import annotations

from typing import Protocol

from stui_trio.sessions.model import Session


class SessionStore(Protocol):
    async def load(self, client_id: str, session_id: str) -> Session | None: ...

    async def save(self, session: Session, *, background: bool = False) -> None: ...

    async def delete(self, client_id: str, session_id: str) -> None: ...

    async def list(self, client_id: str) -> list[Session]: ...

    async def list_clients(self) -> list[str]: ...


class InMemorySessionStore:
    """Sessions in a dict: survive client reconnects, not a server restart."""

    def __init__(self) -> None:
        self._by_client: dict[str, dict[str, Session]] = {}

    async def load(self, client_id: str, session_id: str) -> Session | None:
        return self._by_client.get(client_id, {}).get(session_id)

    async def save(self, session: Session, *, background: bool = False) -> None:
        self._by_client.setdefault(session.client_id, {})[session.session_id] = session

    async def delete(self, client_id: str, session_id: str) -> None:
        sessions = self._by_client.get(client_id)
        if sessions is not None:
            sessions.pop(session_id, None)
            if not sessions:
                del self._by_client[client_id]

    async def list(self, client_id: str) -> list[Session]:
        return list(self._by_client.get(client_id, {}).values())

    async def list_clients(self) -> list[str]:
        return list(self._by_client)
