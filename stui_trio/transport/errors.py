"""The transport's exceptions: what can go wrong between a ZeroMQ socket and the server.

They form one small hierarchy under :class:`TransportError` so callers can catch the whole
family at the edge of the server (the CLI prints a ``TransportError`` message without a
traceback). Use of a socket after ``close()`` raises Trio's own ``trio.ClosedResourceError``,
as every Trio resource does.

- :class:`EndpointError`: an endpoint could not be bound or connected (address in use, not a
  valid endpoint, a missing ipc directory...). The message names the endpoint and the cause.
- :class:`PeerGone`: a reply was addressed to a routing id the ROUTER no longer knows (the peer
  disconnected). Log it and carry on; the socket keeps working.
- :class:`PeerBusy`: the peer's outgoing queue is full (it stopped reading). The ROUTER does not
  wait for one slow peer, because that would stall the replies to everyone else.
"""

from __future__ import annotations

import errno

import zmq


class TransportError(Exception):
    """Base of every error the transport raises on purpose."""


class EndpointError(TransportError):
    """An endpoint could not be bound or connected; ``endpoint`` says which one."""

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"cannot use ZeroMQ endpoint {endpoint!r}: {reason}")
        self.endpoint = endpoint
        self.reason = reason


class PeerGone(TransportError):
    """A ROUTER reply went to a peer that has disconnected (ZeroMQ EHOSTUNREACH)."""

    def __init__(self, routing_id: bytes) -> None:
        super().__init__(f"peer {routing_id.hex()} is gone; the reply was not delivered")
        self.routing_id = routing_id


class PeerBusy(TransportError):
    """A ROUTER reply could not be queued: the peer's send queue is at its high-water mark."""

    def __init__(self, routing_id: bytes) -> None:
        super().__init__(
            f"peer {routing_id.hex()} is not reading its replies (send queue full); "
            "the reply was dropped"
        )
        self.routing_id = routing_id


_HINTS = {
    errno.EADDRINUSE: "the address is already in use (another server running?); "
    "choose another port or stop the other process",
    errno.EINVAL: "not a valid ZeroMQ endpoint; expected tcp://HOST:PORT, tcp://HOST:* "
    "or ipc://PATH",
    errno.EPROTONOSUPPORT: "unsupported transport; use tcp:// or ipc://",
    errno.EADDRNOTAVAIL: "no local interface has that address",
    errno.ENOENT: "the directory of the ipc path does not exist",
    errno.EACCES: "permission denied",
    errno.ENAMETOOLONG: "the ipc path is too long (about 100 bytes at most)",
}


def endpoint_error(endpoint: str, exc: zmq.ZMQError, *, binding: bool) -> EndpointError:
    """An :class:`EndpointError` for a failed bind/connect, with a hint for the usual causes."""
    action = "bind" if binding else "connect"
    return EndpointError(endpoint, f"{action} failed: {_HINTS.get(exc.errno, exc.strerror)}")
