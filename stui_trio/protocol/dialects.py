"""The two dialects, translated at this one seam.

*Command style* (the Pharo STUI server's)::

    {"id", "command", "client_id", "session_id"?, "auth_token"?, "parameters"?: {...}}

Keys that belong in ``parameters`` may also stand at the top level; when both exist,
``parameters`` wins.

*Envelope style* (the STUI Rust client's protocol 1.0.0)::

    {"id", "version", "timestamp",
     "payload": {"type": "Request", "data": {"request_type": "Evaluate", "params": {...}}}}

``request_type`` maps onto a command by CamelCase -> snake_case (``BrowseClass`` ->
``browse_class``); ``client_id``/``session_id``/``auth_token`` may sit at the top level, in
``data`` or in ``params``. The response mirrors it: ``payload.type = "Response"`` and
``data.response_type`` = ``Pong`` for Ping, ``<RequestType>Result`` otherwise, result fields
beside it; ``Error`` with ``code`` (the error_type), ``message`` and ``details`` on failure.

The server tells the dialects apart by shape: an object with ``payload`` and no ``command`` is
an envelope.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from stui_trio.protocol.errors import InvalidRequest
from stui_trio.protocol.messages import Dialect, Reply, Request, utc_timestamp

ENVELOPE_VERSION = "1.0.0"
MAX_ID_CHARS = 128
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_HEADER_KEYS = frozenset({"id", "command", "client_id", "parameters", "timestamp", "version"})
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def made_up_id() -> str:
    """An id for a request that came without one (or with an unusable one)."""
    return "srv-" + secrets.token_hex(8)


def is_envelope(obj: Mapping[str, Any]) -> bool:
    return "payload" in obj and "command" not in obj


def usable_id(obj: Mapping[str, Any]) -> str | None:
    """The request's id if it is one we may echo, else None (best effort for error replies)."""
    value = obj.get("id")
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS:
        return value
    return None


def usable_client_id(value: Any) -> str | None:
    if isinstance(value, str) and CLIENT_ID_PATTERN.fullmatch(value):
        return value
    return None


def _check_id(obj: Mapping[str, Any]) -> str:
    if "id" not in obj or obj["id"] is None:
        return made_up_id()
    value = obj["id"]
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_CHARS:
        raise InvalidRequest(
            f"field 'id' must be a string of 1-{MAX_ID_CHARS} characters "
            f"(got {type(value).__name__}); the server echoes it in the reply",
            {"field": "id"},
        )
    return value


def _check_client_id(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not CLIENT_ID_PATTERN.fullmatch(value):
        shown = value if isinstance(value, str) and len(value) <= 80 else type(value).__name__
        raise InvalidRequest(
            f"field '{where}' must be 1-64 characters of letters, digits, '_', '.', ':' or '-' "
            f"(got {shown!r})",
            {"field": where},
        )
    return value


def _optional_str(params: Mapping[str, Any], key: str, max_len: int = 4096) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise InvalidRequest(
            f"field '{key}' must be a string of at most {max_len} characters "
            f"(got {type(value).__name__})",
            {"field": key},
        )
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRequest(
            f"field '{where}' must be a JSON object (got {json_type(value)})", {"field": where}
        )
    return value


def json_type(value: Any) -> str:
    return {
        dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
        float: "number", type(None): "null",
    }.get(type(value), type(value).__name__)


def _command_request(obj: Mapping[str, Any], request_id: str) -> Request:
    command = obj.get("command")
    if not isinstance(command, str) or not command:
        raise InvalidRequest(
            "field 'command' is missing or not a non-empty string; say which command to run, "
            "e.g. \"command\": \"ping\"",
            {"field": "command"},
        )
    client_id = _check_client_id(obj.get("client_id"), "client_id")
    raw = obj.get("parameters")
    if obj.keys() <= _HEADER_KEYS:
        # The usual shape, nothing beside the header: the parameters are all there is.
        params: dict[str, Any] = {} if raw is None else dict(_object(raw, "parameters"))
    else:
        params = {k: v for k, v in obj.items() if k not in _HEADER_KEYS}
        if raw is not None:
            params.update(_object(raw, "parameters"))
    return Request(
        id=request_id,
        command=command,
        client_id=client_id,
        dialect=Dialect.COMMAND,
        parameters=params,
        session_id=_optional_str(params, "session_id", 256),
        auth_token=_optional_str(params, "auth_token"),
    )


def _envelope_request(obj: Mapping[str, Any], request_id: str) -> Request:
    payload = _object(obj["payload"], "payload")
    if payload.get("type") != "Request":
        raise InvalidRequest(
            "field 'payload.type' must be \"Request\" in a request envelope",
            {"field": "payload.type"},
        )
    data = _object(payload.get("data"), "payload.data")
    request_type = data.get("request_type")
    if not isinstance(request_type, str) or not request_type.isidentifier():
        raise InvalidRequest(
            "field 'payload.data.request_type' must name a request, e.g. \"Ping\"",
            {"field": "payload.data.request_type"},
        )
    raw_params = data.get("params")
    params: dict[str, Any] = {}
    for source in (obj, data):
        for key in ("client_id", "session_id", "auth_token"):
            if source.get(key) is not None:
                params[key] = source[key]
    if raw_params is not None:
        params.update(_object(raw_params, "payload.data.params"))
    client_id = _check_client_id(params.pop("client_id", None), "client_id")
    return Request(
        id=request_id,
        command=_CAMEL.sub("_", request_type).lower(),
        client_id=client_id,
        dialect=Dialect.ENVELOPE,
        parameters=params,
        session_id=_optional_str(params, "session_id", 256),
        auth_token=_optional_str(params, "auth_token"),
        request_type=request_type,
    )


def to_request(obj: Any) -> Request:
    """Validate a decoded JSON value into a :class:`Request` (either dialect)."""
    if not isinstance(obj, dict):
        raise InvalidRequest(
            f"request must be a JSON object, got {json_type(obj)}; "
            "send {\"command\": ..., \"client_id\": ..., \"parameters\": {...}}"
        )
    request_id = _check_id(obj)
    if is_envelope(obj):
        return _envelope_request(obj, request_id)
    return _command_request(obj, request_id)


def from_reply(reply: Reply) -> dict[str, Any]:
    """The JSON object for a reply, in the dialect its request used."""
    now = utc_timestamp()
    if reply.dialect is Dialect.ENVELOPE:
        if reply.ok:
            kind = reply.request_type or "Unknown"
            data: dict[str, Any] = {
                "response_type": "Pong" if kind == "Ping" else f"{kind}Result",
                **(reply.result or {}),
            }
        else:
            data = {"response_type": "Error", "code": reply.error_type, "message": reply.error}
            if reply.details:
                data["details"] = reply.details
        return {
            "id": reply.id,
            "version": ENVELOPE_VERSION,
            "timestamp": now,
            "payload": {"type": "Response", "data": data},
        }
    if reply.ok:
        return {
            "id": reply.id,
            "status": "success",
            "client_id": reply.client_id,
            "result": reply.result if reply.result is not None else {},
            "timestamp": now,
        }
    out: dict[str, Any] = {
        "id": reply.id,
        "status": "error",
        "client_id": reply.client_id,
        "error": reply.error,
        "error_type": reply.error_type,
        "timestamp": now,
    }
    if reply.details:
        out["details"] = reply.details
    return out
