"""The transport: ZeroMQ sockets as Trio-native ``await`` calls, and ROUTER envelopes.

Where it fits (ARCHITECTURE.md)::

    ZeroMQ ROUTER --> transport --> protocol (decode, validate) --> supervisor --> client tasks
                          ^                                                         |
                          +--------------------- replies ---------------------------+

The transport knows frames and bytes, nothing of JSON or sessions. Three layers:

- :mod:`.socket` — :class:`TrioSocket` puts any pyzmq socket on Trio's loop through the
  socket's edge-triggered FD (``trio.lowlevel.wait_readable``), keeping the rules that make that
  safe: re-check ``EVENTS`` before waiting and after every send (a send can swallow the
  "readable" edge), ``notify_closing`` before close, and never take a message off the socket
  unless it will be returned (a cancelled receive loses nothing). The client library uses it for
  its DEALER/REQ sockets.
- :mod:`.envelope` — :class:`Envelope` (routing id + whether the peer used the empty delimiter
  frame), :func:`parse_router_frames` (frames -> :class:`Incoming` or :class:`MalformedFrames`)
  and :func:`reply_frames` (a reply mirroring the peer's framing, so REQ, REQ-style DEALER and
  bare DEALER peers all get what they expect).
- :mod:`.router` — :class:`RouterEndpoint`, the server's ROUTER bound to all its endpoints:
  ``await receive()`` and ``await send(envelope, body)``, safe from any number of tasks.

Both socket classes share :class:`.lifecycle.Closable`: ``close()``/``aclose()`` and use as a
context manager (``with`` or ``async with``).

Errors (:mod:`.errors`): :class:`TransportError` and its subclasses :class:`EndpointError`
(bind/connect failed; the message names the endpoint, fit for printing without a traceback),
:class:`PeerGone` (reply to a disconnected peer) and :class:`PeerBusy` (peer's queue full).
Using a closed socket raises ``trio.ClosedResourceError``.

Why not zmq-anyio: measured ~4x slower here, and a cancelled receive there drops the next
message (``shared/notes/transport.md``).
"""

from stui_trio.transport.envelope import (
    Envelope,
    Incoming,
    MalformedFrames,
    parse_router_frames,
    reply_frames,
)
from stui_trio.transport.errors import EndpointError, PeerBusy, PeerGone, TransportError
from stui_trio.transport.router import DEFAULT_HWM, RouterEndpoint
from stui_trio.transport.socket import DEFAULT_LINGER_MS, SocketOptions, TrioSocket

__all__ = [
    "DEFAULT_HWM",
    "DEFAULT_LINGER_MS",
    "EndpointError",
    "Envelope",
    "Incoming",
    "MalformedFrames",
    "PeerBusy",
    "PeerGone",
    "RouterEndpoint",
    "SocketOptions",
    "TransportError",
    "TrioSocket",
    "parse_router_frames",
    "reply_frames",
]
