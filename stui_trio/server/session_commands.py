"""Handlers of the session commands of PROTOCOL.md, registered by :func:`register`.

Each is a thin translation between the protocol's parameter/result shapes and the
:class:`~stui_trio.sessions.manager.SessionManager`, which owns the rules (ownership, limits,
expiry). ``validate_session`` is inline (answered without queueing behind the client's work).

``update_session_state`` keeps its reply in the session's reply buffer in the same save as the
change (``ctx.with_reply``), so a retry after a crash gets the reply, not a second update.
``get_missed_replies`` reads that buffer (``sessions/reply_buffer.py``). The read-only
commands and ``close_session`` (whose session, buffer included, is gone after it) do not keep
their replies.
"""

from __future__ import annotations

from typing import Any

import attrs
import orjson

from stui_trio.auth.tiers import tier_for_token
from stui_trio.protocol.commands import CommandContext, CommandRegistry
from stui_trio.protocol.errors import InvalidRequest, SessionExpired, SessionNotFound
from stui_trio.protocol.messages import iso_from_epoch
from stui_trio.sessions.model import STATE_KEYS, Session

SESSION_CAPABILITIES = (
    "evaluate", "inspect", "browse", "completion", "transcript", "history", "persistence",
)


@attrs.frozen
class ClientInfo:
    platform: str | None = None
    version: str | None = None
    capabilities: list[str] = attrs.field(factory=list)
    subscription_tier: str | None = None


@attrs.frozen
class CreateParams:
    client_info: ClientInfo | None = None


@attrs.frozen
class SessionParams:
    session_id: str


@attrs.frozen
class UpdateParams:
    session_id: str
    state_data: dict[str, Any]


@attrs.frozen
class MissedRepliesParams:
    session_id: str
    since: int = 0
    limit: int | None = None


async def create_session(ctx: CommandContext, params: CreateParams) -> dict[str, Any]:
    tier = tier_for_token(ctx.config, ctx.request.auth_token)
    info = attrs.asdict(params.client_info) if params.client_info else {}
    session = await ctx.sessions.create(ctx.client_id, tier=tier, client_info=info)
    return {
        **session.metadata(ctx.sessions.now()),
        "capabilities": list(SESSION_CAPABILITIES),
        "client_isolation": "enabled",
        "max_concurrent_clients": ctx.config.max_concurrent_clients,
        "max_sessions_per_client": ctx.config.max_sessions_per_client,
    }


async def restore_session(ctx: CommandContext, params: SessionParams) -> dict[str, Any]:
    session = await ctx.sessions.use(ctx.client_id, params.session_id)
    state = dict(session.state)
    return {
        **session.metadata(ctx.sessions.now()),
        **{key: state.get(key, {} if key not in ("history", "transcript") else []) for key in
           STATE_KEYS},
        "state_data": {k: v for k, v in state.items() if k not in STATE_KEYS},
        "recovered_from_backup": session.recovered_from_backup,
        # What a durable store's load did and lost, when it was not clean (else absent).
        **({"recovery": dict(session.recovery)} if session.recovery is not None else {}),
    }


def _seconds_left(session: Session, now: float) -> float:
    return round(max(0.0, session.expires_at - now), 3)


async def validate_session(ctx: CommandContext, params: SessionParams) -> dict[str, Any]:
    await ctx.sessions.ensure_client(ctx.client_id)
    now = ctx.sessions.now()
    try:
        session = ctx.sessions.peek(ctx.client_id, params.session_id)
    except (SessionExpired, SessionNotFound) as exc:
        # "Is this session usable?" is a question, not an error: answer valid=false.
        return {
            "session_id": params.session_id,
            "valid": False,
            "reason": exc.error_type,
            "message": exc.message,
            "expires_at": None,
            "time_until_expiry": 0,
        }
    return {
        "session_id": session.session_id,
        "valid": True,
        "expires_at": iso_from_epoch(session.expires_at),
        "time_until_expiry": _seconds_left(session, now),
    }


def _update_result(session: Session) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "last_modified": iso_from_epoch(session.last_modified),
        "update_successful": True,
    }


async def update_session_state(ctx: CommandContext, params: UpdateParams) -> dict[str, Any]:
    session = await ctx.sessions.update_state(
        ctx.client_id, params.session_id, params.state_data,
        # The reply goes to disk with the change it acknowledges.
        before_save=lambda updated: ctx.with_reply(updated, _update_result(updated)),
    )
    return _update_result(session)


async def get_missed_replies(ctx: CommandContext, params: MissedRepliesParams) -> dict[str, Any]:
    if params.limit is not None and params.limit < 0:
        raise InvalidRequest("field 'limit' must be 0 or more", {"field": "limit"})
    assert ctx.session is not None  # needs_session
    page = ctx.session.replies.since(max(0, params.since), params.limit)
    return {
        "session_id": ctx.session.session_id,
        "entries": [
            {"seq": e.seq, "id": e.request_id, "command": e.command, "reply": e.reply,
             "at": iso_from_epoch(e.at_ms / 1000)}
            for e in page.entries
        ],
        "next": page.next,
        "missed": page.missed,
        "capacity": ctx.config.reply_buffer_size,
    }


async def close_session(ctx: CommandContext, params: SessionParams) -> dict[str, Any]:
    await ctx.sessions.close(ctx.client_id, params.session_id)
    return {"session_id": params.session_id, "closed": True}


def _sizes(session: Session) -> dict[str, int]:
    state = session.state
    return {
        "bindings": len(state.get("workspace_context") or {}),
        "registered_objects": len(state.get("object_registry") or {}),
        "history_entries": len(state.get("history") or []),
        "transcript_entries": len(state.get("transcript") or []),
        "state_bytes": len(orjson.dumps(dict(state), option=orjson.OPT_NON_STR_KEYS)),
    }


async def get_session_info(ctx: CommandContext, params: SessionParams) -> dict[str, Any]:
    await ctx.sessions.ensure_client(ctx.client_id)
    session = ctx.sessions.peek(ctx.client_id, params.session_id)
    now = ctx.sessions.now()
    return {
        **session.metadata(now),
        "time_until_expiry": _seconds_left(session, now),
        "is_expired": session.is_expired(now),
        "sizes": _sizes(session),
    }


async def list_client_sessions(ctx: CommandContext, _params: Any) -> dict[str, Any]:
    await ctx.sessions.ensure_client(ctx.client_id)
    now = ctx.sessions.now()
    sessions = [s.metadata(now) for s in ctx.sessions.sessions_of(ctx.client_id)]
    return {"client_id": ctx.client_id, "session_count": len(sessions), "sessions": sessions}


def register(registry: CommandRegistry) -> None:
    registry.register(
        "create_session", create_session, params=CreateParams, keeps_reply=False,
        description="open a new session for the calling client",
    )
    registry.register(
        "restore_session", restore_session, params=SessionParams, keeps_reply=False,
        description="a session's metadata and saved state",
    )
    registry.register(
        "validate_session", validate_session, params=SessionParams, inline=True,
        keeps_reply=False,
        description="is the session usable, and until when",
    )
    registry.register(
        "update_session_state", update_session_state, params=UpdateParams,
        description="merge state into a session; acknowledged once stored",
    )
    registry.register(
        "close_session", close_session, params=SessionParams, keeps_reply=False,
        description="close and forget a session",
    )
    registry.register(
        "get_session_info", get_session_info, params=SessionParams, keeps_reply=False,
        description="a session's metadata, expiry and sizes",
    )
    registry.register(
        "list_client_sessions", list_client_sessions, keeps_reply=False,
        description="the calling client's sessions",
    )
    registry.register(
        "get_missed_replies", get_missed_replies, params=MissedRepliesParams,
        needs_session=True, keeps_reply=False,
        description="the session's kept replies after a sequence number",
    )
