"""Run one validated request through the command registry and produce its reply.

This is the same path for inline commands (run by the reader) and queued ones (run by the
client's task): look the command up, check the client/session requirements, structure the
parameters, call the handler. Protocol errors (``StuiError``) become error replies here.
Anything else is a bug and propagates: the caller logs it, answers ``InternalError`` and (in a
client task) restarts the task.
"""

from __future__ import annotations

import logging
import time

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
    try:
        check_client(spec, request)
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
        )
        result = await spec.handler(ctx, parsed)
        reply = edge.reply_to(request, result=result)
    except StuiError as exc:
        reply = edge.reply_to(request, error=exc)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "request id=%s client=%s command=%s status=%s error_type=%s ms=%.3f",
            request.id, request.client_id, request.command,
            "success" if reply.ok else "error", reply.error_type or "-",
            (time.perf_counter() - started) * 1000,
        )
    return reply
