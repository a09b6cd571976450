"""Building requests and reading replies: the one module both clients share.

The sync :class:`~stui_trio.client.sync_client.Client` and the Trio
:class:`~stui_trio.client.async_client.AsyncClient` differ only in how they wait on a socket.
Everything about the message itself lives here: the command-style request body, ids, the
ZeroMQ frames per socket kind, and turning a reply into a result dict or a
:class:`~stui_trio.client.errors.StuiError`. Both dialects' replies are understood, so an
envelope request (see :mod:`stui_trio.client.envelope`) travels the same path.
"""

from __future__ import annotations

import enum
import itertools
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import orjson

from stui_trio.client.errors import BadReply, StuiError

DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 2
# Keys that stand at the top level of a command-style request; the rest go in "parameters".
_HEADER_KEYS = ("session_id", "auth_token")


class SocketKind(enum.Enum):
    """REQ: one request in flight, strict send/recv. DEALER: many in flight, matched by id."""

    REQ = "req"
    DEALER = "dealer"


@attrs.frozen
class ClientOptions:
    """How a client connects and how patient it is.

    ``timeout`` is per attempt; a request is tried ``1 + retries`` times with the same id
    (the lazy-pirate pattern for REQ: the socket is closed and reopened between attempts).
    """

    endpoint: str
    client_id: str = attrs.field(factory=lambda: "py-" + secrets.token_hex(4))
    kind: SocketKind = attrs.field(default=SocketKind.REQ, converter=SocketKind)
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    auth_token: str | None = None


class IdSource:
    """Request ids unique to one client object: a random prefix and a counter."""

    def __init__(self, prefix: str | None = None) -> None:
        # 48 random bits: a restarted client must not reuse an id the server still keeps
        # (a retry with a known id is answered from the session's reply buffer).
        self._prefix = prefix or secrets.token_hex(6)
        self._counter: Iterator[int] = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"


def build_request(
    request_id: str, command: str, client_id: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """A command-style request; ``None`` parameters are left out (the server's defaults)."""
    message: dict[str, Any] = {"id": request_id, "command": command, "client_id": client_id}
    parameters: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if key in _HEADER_KEYS:
            message[key] = value
        else:
            parameters[key] = value
    message["parameters"] = parameters
    return message


def encode(message: Mapping[str, Any]) -> bytes:
    return orjson.dumps(message)


def frames_for(kind: SocketKind, body: bytes) -> list[bytes]:
    """The frames to send: REQ adds its own empty delimiter; a DEALER sends it explicitly."""
    return [body] if kind is SocketKind.REQ else [b"", body]


def decode_reply(frames: list[bytes]) -> dict[str, Any]:
    """The reply object from received frames (the body is the last frame)."""
    if not frames:
        raise BadReply("empty ZeroMQ message")
    try:
        reply = orjson.loads(frames[-1])
    except orjson.JSONDecodeError as exc:
        raise BadReply(f"reply is not JSON: {exc}") from None
    if not isinstance(reply, dict):
        raise BadReply(f"reply is not a JSON object: {reply!r:.80}")
    return reply


def result_of(reply: Mapping[str, Any]) -> dict[str, Any]:
    """The ``result`` of a success reply; raise :class:`StuiError` for an error reply."""
    payload = reply.get("payload")
    if isinstance(payload, dict) and "status" not in reply:
        return _envelope_result(payload)
    status = reply.get("status")
    if status == "success":
        result = reply.get("result")
        return result if isinstance(result, dict) else {"value": result}
    if status == "error":
        raise StuiError(
            str(reply.get("error_type") or "UnknownError"),
            str(reply.get("error") or ""),
            reply.get("details") if isinstance(reply.get("details"), dict) else None,
        )
    raise BadReply(f"reply has no usable 'status': {reply!r:.200}")


def _envelope_result(payload: Mapping[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    if not isinstance(data, dict):
        raise BadReply("envelope reply without payload.data")
    if data.get("response_type") == "Error":
        details = data.get("details")
        raise StuiError(
            str(data.get("code") or "UnknownError"),
            str(data.get("message") or ""),
            details if isinstance(details, dict) else None,
        )
    return dict(data)


def session_after(command: str, result: Mapping[str, Any], current: str | None) -> str | None:
    """The client's current session after ``command`` succeeded with ``result``.

    create/restore make the returned session current; closing the current one clears it.
    """
    if command in ("create_session", "restore_session") and result.get("session_id"):
        return str(result["session_id"])
    if command == "close_session" and result.get("session_id") == current:
        return None
    return current
