"""Run one validated request through the command registry and produce its reply.

This is the same path for inline commands (run by the reader) and queued ones (run by the
client's task): look the command up, check the client/session requirements, structure the
parameters, call the handler. Protocol errors (``StuiError``) become error replies here.
Anything else is a bug and propagates: the caller logs it, answers ``InternalError`` and (in a
client task) restarts the task.

Kept replies (``sessions/reply_buffer.py``): for a request that names one of the caller's live
sessions, carries a client-supplied ``id`` and runs a command that ``keeps_reply`` (not
inline), the session's reply buffer is looked at first. A stored reply of the same id, command
and parameters is answered again, marked ``replayed: true`` (in ``result`` for a success, in
``details`` for an error), without running anything. Otherwise the command runs and its reply
is kept afterwards (unless the handler kept it already, before its durable save).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from stui_trio.config import ServerConfig
from stui_trio.protocol import edge, params
from stui_trio.protocol.commands import (
    ClientContext,
    CommandContext,
    CommandRegistry,
    CommandSpec,
    ServerFacts,
)
from stui_trio.protocol.errors import InvalidRequest, StuiError
from stui_trio.protocol.messages import Reply, Request
from stui_trio.sessions.manager import SessionManager
from stui_trio.sessions.reply_buffer import (
    ReplyEntry,
    ReplyRecorder,
    client_supplied,
    error_body,
    params_hash,
    success_body,
)

log = logging.getLogger("stui_trio.requests")


def check_client(spec: CommandSpec, request: Request) -> None:
    if spec.needs_client and request.client_id is None:
        raise InvalidRequest(
            f"field 'client_id' is required for '{spec.name}'; send a stable id for this "
            "client (1-64 characters of letters, digits, '_', '.', ':' or '-')",
            {"field": "client_id"},
        )


async def run(
    request: Request,
    *,
    spec: CommandSpec,
    registry: CommandRegistry,
    config: ServerConfig,
    sessions: SessionManager,
    server: ServerFacts,
    client: ClientContext | None,
) -> Reply:
    """Run ``request`` with ``spec``; StuiErrors become error replies, bugs propagate."""
    started = time.perf_counter()
    recorder: ReplyRecorder | None = None
    try:
        check_client(spec, request)
        if _may_keep(request, spec, config):
            recorder, stored = await _reply_recorder(request, spec, config, sessions)
            if stored is not None:
                reply = replayed(request, stored)
                _log(request, reply, started, replayed=True)
                return reply
        parsed = (
            params.structure(spec.params, request.parameters, spec.name)
            if spec.params is not None
            else None
        )
        session = None
        if spec.needs_session:
            if request.session_id is None:
                raise InvalidRequest(
                    f"field 'session_id' is required for '{spec.name}'; pass the id "
                    "create_session returned",
                    {"field": "session_id"},
                )
            assert request.client_id is not None  # needs_session implies needs_client
            session = await sessions.use(request.client_id, request.session_id)
        ctx = CommandContext(
            request=request,
            config=config,
            sessions=sessions,
            server=server,
            registry=registry,
            client=client,
            session=session,
            replies=recorder,
        )
        result = await spec.handler(ctx, parsed)
        reply = edge.reply_to(request, result=result)
    except StuiError as exc:
        reply = edge.reply_to(request, error=exc)
    if recorder is not None:
        recorder.settle(reply.ok, body_of(reply))
    _log(request, reply, started)
    return reply


def _may_keep(request: Request, spec: CommandSpec, config: ServerConfig) -> bool:
    """Whether this request's reply may go to a session's reply buffer (checked before
    anything is awaited: most requests, ``ping`` among them, stop here)."""
    return (
        spec.keeps_reply
        and not spec.inline
        and config.reply_buffer_size > 0
        and request.client_id is not None
        and request.session_id is not None
        and client_supplied(request.id)
    )


async def _reply_recorder(
    request: Request, spec: CommandSpec, config: ServerConfig, sessions: SessionManager
) -> tuple[ReplyRecorder | None, ReplyEntry | None]:
    """The request's handle on its session's reply buffer and the stored reply a retry gets;
    (None, None) when the request names no live session of the caller. Only for requests
    that pass :func:`_may_keep`."""
    assert request.client_id is not None and request.session_id is not None
    await sessions.ensure_client(request.client_id)
    try:
        session = sessions.peek(request.client_id, request.session_id)
    except StuiError:
        return None, None  # not the caller's live session: the command reports that itself
    recorder = ReplyRecorder(
        sessions, session.session_id, request.id, spec.name, params_hash(request.parameters),
        config.reply_buffer_size,
    )
    return recorder, recorder.stored(session)


def body_of(reply: Reply) -> dict[str, Any]:
    """What a reply buffer keeps of a reply (the dialect-free part)."""
    if reply.ok:
        return success_body(reply.result)
    return error_body(reply.error_type, reply.error, reply.details)


def replayed(request: Request, entry: ReplyEntry) -> Reply:
    """The stored reply again, for this request (its id, dialect), marked ``replayed``."""
    body = entry.reply
    if body.get("status") == "success":
        return edge.reply_to(request, result={**(body.get("result") or {}), "replayed": True})
    return Reply(
        id=request.id,
        client_id=request.client_id,
        dialect=request.dialect,
        error_type=body.get("error_type") or "InternalError",
        error=body.get("error"),
        details={**(body.get("details") or {}), "replayed": True},
        request_type=request.request_type,
    )


def _log(request: Request, reply: Reply, started: float, *, replayed: bool = False) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "request id=%s client=%s command=%s status=%s error_type=%s ms=%.3f%s",
            request.id, request.client_id, request.command,
            "success" if reply.ok else "error", reply.error_type or "-",
            (time.perf_counter() - started) * 1000, " replayed" if replayed else "",
        )
