"""The protocol edge: raw request bytes in, a :class:`Request` or a ready error reply out.

This is the only place bytes become values. It never raises for bad input: anything wrong
yields a :class:`Rejected` carrying the best id/client_id/dialect it could recover, so the
server answers every message exactly once.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs

from stui_trio.protocol import dialects
from stui_trio.protocol.codec import decode_json, encode_json
from stui_trio.protocol.errors import StuiError
from stui_trio.protocol.messages import Dialect, Reply, Request

log = logging.getLogger(__name__)


@attrs.frozen
class Rejected:
    """A message the edge refused; ``reply`` is the error answer to send back."""

    reply: Reply


def decode(body: bytes, max_bytes: int) -> Request | Rejected:
    """Decode and validate one request body."""
    obj: Any = None
    try:
        obj = decode_json(body, max_bytes)
        return dialects.to_request(obj)
    except StuiError as exc:
        return Rejected(_partial_error(obj, exc))


def _partial_error(obj: Any, exc: StuiError) -> Reply:
    request_id: str | None = None
    client_id: str | None = None
    dialect = Dialect.COMMAND
    if isinstance(obj, dict):
        request_id = dialects.usable_id(obj)
        client_id = dialects.usable_client_id(obj.get("client_id"))
        if dialects.is_envelope(obj):
            dialect = Dialect.ENVELOPE
    return error_reply(
        request_id or dialects.made_up_id(), client_id, dialect, exc, request_type=None
    )


def error_reply(
    request_id: str,
    client_id: str | None,
    dialect: Dialect,
    exc: StuiError,
    request_type: str | None = None,
) -> Reply:
    return Reply(
        id=request_id,
        client_id=client_id,
        dialect=dialect,
        error_type=exc.error_type,
        error=exc.message,
        details=exc.details,
        request_type=request_type,
    )


def reply_to(request: Request, *, result: Any = None, error: StuiError | None = None) -> Reply:
    """The reply to ``request``: a success with ``result`` or the given error."""
    if error is not None:
        return error_reply(
            request.id, request.client_id, request.dialect, error, request.request_type
        )
    return Reply(
        id=request.id,
        client_id=request.client_id,
        dialect=request.dialect,
        result=result if result is not None else {},
        request_type=request.request_type,
    )


def encode(reply: Reply) -> bytes:
    """Bytes for a reply; a result JSON cannot hold becomes an ``InternalError`` reply."""
    try:
        return encode_json(dialects.from_reply(reply))
    except TypeError:
        log.exception("reply %s to %s is not JSON-serializable", reply.id, reply.client_id)
        fallback = attrs.evolve(
            reply,
            result=None,
            error_type="InternalError",
            error="the server produced a reply it could not encode as JSON (a server bug, "
            "logged); retry or report it",
            details=None,
        )
        return encode_json(dialects.from_reply(fallback))
