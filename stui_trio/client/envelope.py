"""The STUI Rust client's envelope dialect (protocol 1.0.0), for tests and tools.

The server speaks it beside the command style (PROTOCOL.md, "Two dialects"). This module
builds the requests that client would send, so tests can check the server's translation::

    msg = envelope_request("Evaluate", {"code": "3 + 4"}, client_id="rust-1", session_id=sid)
    reply = client.request_raw(msg)          # the full reply envelope
    data = result_of(reply)                  # payload.data, or StuiError for "Error"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

ENVELOPE_VERSION = "1.0.0"
REQUEST_TYPES = (
    "Ping", "Evaluate", "Inspect", "BrowseClass", "ListClasses", "GetMethod", "SystemInfo",
    "Debug",
)


def _now() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def envelope_request(
    request_type: str,
    params: Mapping[str, Any] | None = None,
    *,
    request_id: str | None = None,
    client_id: str | None = None,
    session_id: str | None = None,
) -> dict[str, Any]:
    """One envelope request; ``client_id``/``session_id`` go at the top level as the Rust
    client puts them. ``request_id`` may be left out: ``request_raw`` assigns one."""
    message: dict[str, Any] = {
        "version": ENVELOPE_VERSION,
        "timestamp": _now(),
        "payload": {
            "type": "Request",
            "data": {"request_type": request_type, "params": dict(params or {})},
        },
    }
    if request_id is not None:
        message["id"] = request_id
    if client_id is not None:
        message["client_id"] = client_id
    if session_id is not None:
        message["session_id"] = session_id
    return message


def response_type(reply: Mapping[str, Any]) -> str | None:
    """``payload.data.response_type`` of an envelope reply (``"Pong"``, ``"Error"``, ...)."""
    payload = reply.get("payload")
    data = payload.get("data") if isinstance(payload, dict) else None
    return data.get("response_type") if isinstance(data, dict) else None
