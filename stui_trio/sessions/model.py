"""The session value: who owns it, when it expires, and the state a client parks in it.

``state`` holds the per-session parts the protocol names (``workspace_context``,
``object_registry``, ``inspector_state``, ``history``, ``transcript``, and whatever else a
client sends in ``update_session_state``) as JSON-able data. ``replies`` is the session's
bounded buffer of recent replies by request id (``sessions/reply_buffer.py``), so a retried
request is answered, not run twice. Sessions are frozen; changes make a new value with
:func:`attrs.evolve`, which the manager stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from stui_trio.protocol.messages import iso_from_epoch
from stui_trio.sessions.reply_buffer import ReplyBuffer

STATE_KEYS = ("workspace_context", "object_registry", "inspector_state", "history", "transcript")


def empty_state() -> dict[str, Any]:
    return {
        "workspace_context": {},
        "object_registry": {},
        "inspector_state": {},
        "history": [],
        "transcript": [],
    }


@attrs.frozen
class Session:
    session_id: str
    client_id: str
    created_at: float
    last_access: float
    last_modified: float
    timeout: float
    subscription_tier: str
    client_info: Mapping[str, Any] = attrs.field(factory=dict)
    state: Mapping[str, Any] = attrs.field(factory=empty_state)
    recovered_from_backup: bool = False
    #: Set by a durable store whose load was not clean: what it did and what was lost.
    recovery: Mapping[str, Any] | None = None
    #: Recent replies by request id (answers retries; persisted with the session).
    replies: ReplyBuffer = attrs.field(factory=ReplyBuffer, repr=False)

    @property
    def expires_at(self) -> float:
        return self.last_access + self.timeout

    def is_expired(self, now: float) -> bool:
        return now >= self.expires_at

    def metadata(self, now: float) -> dict[str, Any]:
        """The fields every session reply shares."""
        return {
            "session_id": self.session_id,
            "client_id": self.client_id,
            "created_at": iso_from_epoch(self.created_at),
            "last_access": iso_from_epoch(self.last_access),
            "last_modified": iso_from_epoch(self.last_modified),
            "expires_at": iso_from_epoch(self.expires_at),
            "timeout": self.timeout,
            "is_active": not self.is_expired(now),
            "subscription_tier": self.subscription_tier,
            "client_info": dict(self.client_info),
        }
