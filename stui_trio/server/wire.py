"""The server's seam onto the transport: open the ROUTER for one server's lifetime.

``stui_trio.transport`` does the ZeroMQ work (``RouterEndpoint``: Trio-native ROUTER bound to
every endpoint, envelopes mirrored for REQ/DEALER peers, ``PeerGone``/``PeerBusy`` on replies
that cannot be delivered). This module only owns the ZeroMQ context's lifetime for one server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import zmq

from stui_trio.transport import RouterEndpoint, TransportError

# `open_router` raises TransportError; the CLI catches it from here.
__all__ = ["TransportError", "open_router"]


@asynccontextmanager
async def open_router(endpoints: Sequence[str]) -> AsyncIterator[RouterEndpoint]:
    """Bind a ROUTER to every endpoint; raises ``TransportError`` (EndpointError) if one fails."""
    context = zmq.Context()
    try:
        router = RouterEndpoint.bind(context, list(endpoints))
        try:
            yield router
        finally:
            router.close()
    finally:
        context.term()
