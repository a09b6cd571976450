"""A Python client for stui_trio (and any server speaking PROTOCOL.md), sync and Trio-async.

- :class:`Client` — blocking, plain pyzmq; REQ (lazy-pirate retries) or DEALER.
- :class:`AsyncClient` — Trio, on :mod:`stui_trio.transport`; REQ, or DEALER with any number
  of requests in flight from many tasks, matched by id.
- Both have a method per protocol command (:mod:`stui_trio.client.commands`) and
  ``request(command, **params)``; an error reply raises :class:`StuiError` with the server's
  ``error_type``. :func:`envelope_request` builds the Rust client's envelope dialect.
- ``python -m stui_trio.client`` is an interactive console (:mod:`stui_trio.client.console`).

``AsyncClient`` is imported on first use, so sync users (scripts, benchmark workers) do not
load Trio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stui_trio.client.commands import Commands, NoSession
from stui_trio.client.envelope import envelope_request, response_type
from stui_trio.client.errors import BadReply, RequestTimedOut, StuiError
from stui_trio.client.sync_client import Client
from stui_trio.client.wire import ClientOptions, SocketKind, result_of

if TYPE_CHECKING:
    from stui_trio.client.async_client import AsyncClient

__all__ = [
    "AsyncClient",
    "BadReply",
    "Client",
    "ClientOptions",
    "Commands",
    "NoSession",
    "RequestTimedOut",
    "SocketKind",
    "StuiError",
    "envelope_request",
    "response_type",
    "result_of",
]


def __getattr__(name: str) -> Any:
    if name == "AsyncClient":
        from stui_trio.client.async_client import AsyncClient

        return AsyncClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
