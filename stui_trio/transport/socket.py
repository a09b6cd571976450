"""`TrioSocket`: any pyzmq socket (ROUTER, DEALER, REQ...) on Trio's event loop.

ZeroMQ hands out one file descriptor per socket (``sock.FD``). It is *not* a data socket: it
becomes readable when the socket's state may have changed, and it is **edge-triggered** — any
operation on the socket (``recv``, ``send``, even reading ``EVENTS``) can consume the edge.
The truth is always ``sock.EVENTS`` (``POLLIN``: a message can be received, ``POLLOUT``: one can
be sent). This module turns that into plain ``await`` calls with ``trio.lowlevel.wait_readable``
— no polling loop, no threads — by keeping three rules (``shared/notes/transport.md``):

1. Operations use ``NOBLOCK``, and a task waits on the FD only after a fresh look at ``EVENTS``
   says its condition does not hold.
2. After **every** operation (a send included), if any task is waiting, ``EVENTS`` is read again
   and the waiters whose condition now holds are woken. Otherwise a send can swallow the
   "readable" edge while messages are queued, and the reader sleeps forever.
3. ``close()`` calls ``trio.lowlevel.notify_closing(fd)`` first, so a task blocked on the FD gets
   ``trio.ClosedResourceError`` at once, before ZeroMQ's reaper thread closes the descriptor.

Cancellation never loses a message: a message is taken off the ZeroMQ socket only by a
synchronous ``recv(NOBLOCK)`` *after* the wait has finished, with no checkpoint between taking
it and returning it. A cancelled ``recv_multipart`` leaves the message queued for the next call.

Any number of tasks may send and receive on one ``TrioSocket`` at once (Trio runs them on one
thread, so each ZeroMQ call is atomic). Trio lets only one task wait on an FD, so the first
waiter owns the FD wait and the others park on a ``trio.Event`` set when it wakes. To wake the
FD waiter early (rule 2) the socket calls ``notify_closing`` on its own FD: the waiter sees the
socket is still open and just re-checks ``EVENTS``. That costs a few epoll syscalls per early
wake-up, where a cancel scope around every FD wait would cost ~5 µs on every wait.

On a ROUTER socket ``ROUTER_MANDATORY`` is set, and a send never waits: a reply to a routing id
that has disconnected raises :class:`~stui_trio.transport.errors.PeerGone`, a reply to a peer
whose queue is full raises :class:`~stui_trio.transport.errors.PeerBusy` (waiting for one slow
peer would hold up everyone else, and a ROUTER's POLLOUT does not say which peer is writable).
DEALER and REQ sends wait (cancellably) until ZeroMQ accepts the message.

Public API::

    TrioSocket(zmq_socket)                                      # wrap an existing socket
    TrioSocket.bind(context, zmq.ROUTER, "tcp://127.0.0.1:*", options={...})
    TrioSocket.connect(context, zmq.DEALER, endpoint, identity=b"...", options={...})
    await sock.recv_multipart() -> list[bytes]
    await sock.send_multipart([b"...", ...]) -> None
    sock.recv_multipart_nowait() -> list[bytes] # no wait, no checkpoint; trio.WouldBlock
    sock.send_multipart_nowait([b"...", ...])   # no wait, no checkpoint; trio.WouldBlock
    sock.endpoints -> tuple[str, ...]   # as bound (wildcard ports resolved) or connected
    sock.close(); with sock: ...; async with sock: ...
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import trio
import zmq

from stui_trio.transport.errors import PeerBusy, PeerGone, endpoint_error
from stui_trio.transport.lifecycle import Closable

#: Milliseconds ZeroMQ keeps trying to deliver queued messages after close (context term).
DEFAULT_LINGER_MS = 200

SocketOptions = Mapping[int, int | bytes]

# Plain ints: pyzmq's enum flags and the ``sock.EVENTS`` attribute cost microseconds per use.
_POLLIN = int(zmq.POLLIN)
_POLLOUT = int(zmq.POLLOUT)
_EVENTS = int(zmq.EVENTS)
_NOBLOCK = int(zmq.NOBLOCK)
_NOBLOCK_SNDMORE = int(zmq.NOBLOCK | zmq.SNDMORE)


class TrioSocket(Closable):
    """A pyzmq socket whose sends and receives are Trio-native ``await`` calls."""

    def __init__(self, sock: zmq.Socket) -> None:
        self._sock = sock
        self._fd: int = sock.FD
        self._is_router = sock.type == zmq.ROUTER
        if self._is_router:
            sock.setsockopt(zmq.ROUTER_MANDATORY, 1)  # PeerGone instead of a silent drop
        self._closed = False
        self._endpoints: list[str] = []
        self._send = _frame_sender(sock)
        self._recv = sock.recv
        # EVENTS as last read: a hint that lets recv skip a doomed recv (zmq.Again is costly).
        self._last_events = 0
        # True while no socket operation happened since EVENTS was last read: that read is
        # still the fresh look rule 1 asks for before a wait (reading EVENTS costs ~1.5 µs).
        self._events_fresh = False
        # Waiting machinery: at most one task waits on the FD (``_fd_waiting``); the rest park
        # on ``_parked``.
        self._fd_waiting = False
        self._parked = trio.Event()
        self._parked_count = 0
        self._want_in = 0
        self._want_out = 0

    # -- construction -------------------------------------------------------------------

    @classmethod
    def bind(
        cls,
        context: zmq.Context,
        socket_type: int,
        endpoints: str | Iterable[str],
        *,
        options: SocketOptions | None = None,
    ) -> TrioSocket:
        """Create a socket of ``socket_type`` and bind it to each endpoint.

        Raises :class:`~stui_trio.transport.errors.EndpointError` (naming the endpoint) when a
        bind fails; the socket is closed again in that case.
        """
        sock = cls(_new_socket(context, socket_type, options))
        try:
            for endpoint in [endpoints] if isinstance(endpoints, str) else endpoints:
                sock.bind_endpoint(endpoint)
        except BaseException:
            sock.close(linger=0)
            raise
        return sock

    @classmethod
    def connect(
        cls,
        context: zmq.Context,
        socket_type: int,
        endpoints: str | Iterable[str],
        *,
        identity: bytes | None = None,
        options: SocketOptions | None = None,
    ) -> TrioSocket:
        """Create a socket of ``socket_type`` (with ``identity`` as its routing id, if given)
        and connect it to each endpoint. ZeroMQ connects in the background and reconnects by
        itself; a bad endpoint raises :class:`~stui_trio.transport.errors.EndpointError`."""
        opts = dict(options or {})
        if identity is not None:
            opts[zmq.IDENTITY] = identity
        sock = cls(_new_socket(context, socket_type, opts))
        try:
            for endpoint in [endpoints] if isinstance(endpoints, str) else endpoints:
                sock.connect_endpoint(endpoint)
        except BaseException:
            sock.close(linger=0)
            raise
        return sock

    def bind_endpoint(self, endpoint: str) -> str:
        """Bind one more endpoint; returns it as bound (``tcp://127.0.0.1:*`` -> actual port)."""
        self._check_open()
        self._events_fresh = False
        try:
            self._sock.bind(endpoint)
        except zmq.ZMQError as exc:
            raise endpoint_error(endpoint, exc, binding=True) from None
        actual = self._sock.getsockopt_string(zmq.LAST_ENDPOINT)
        self._endpoints.append(actual)
        return actual

    def connect_endpoint(self, endpoint: str) -> None:
        """Connect to one more endpoint."""
        self._check_open()
        self._events_fresh = False
        try:
            self._sock.connect(endpoint)
        except zmq.ZMQError as exc:
            raise endpoint_error(endpoint, exc, binding=False) from None
        self._endpoints.append(endpoint)

    # -- properties ----------------------------------------------------------------------

    @property
    def endpoints(self) -> tuple[str, ...]:
        """The endpoints bound (as actually bound) or connected, in order."""
        return tuple(self._endpoints)

    @property
    def zmq_socket(self) -> zmq.Socket:
        """The wrapped pyzmq socket, for options. Do not send or receive on it directly."""
        self._events_fresh = False  # whatever the caller does with it may consume the edge
        return self._sock

    @property
    def closed(self) -> bool:
        return self._closed

    # -- I/O -----------------------------------------------------------------------------

    async def recv_multipart(self) -> list[bytes]:
        """Receive one whole multipart message. Cancellation never loses a message."""
        self._check_open()
        await trio.lowlevel.checkpoint_if_cancelled()
        yielded = False
        while True:
            if self._last_events & _POLLIN:
                try:
                    frames = self._recv_frames()
                except zmq.Again:
                    pass  # the hint was stale (another task took the message)
                else:
                    # No checkpoint from taking the message to returning it: it cannot be lost.
                    self._after_operation()
                    if not yielded:
                        await trio.lowlevel.cancel_shielded_checkpoint()
                    return frames
            # Reads EVENTS afresh (rule 1) and waits only if nothing is there.
            yielded |= await self._wait_for(_POLLIN)

    def recv_multipart_nowait(self) -> list[bytes]:
        """Take one whole multipart message if one is queued right now, else raise
        ``trio.WouldBlock``. Not a checkpoint: a loop draining a socket with it must reach a
        checkpoint of its own now and then."""
        self._check_open()
        if not self._last_events & _POLLIN and not self._events() & _POLLIN:
            raise trio.WouldBlock
        try:
            frames = self._recv_frames()
        except zmq.Again:
            self._last_events = 0  # the hint was stale
            self._events_fresh = False
            raise trio.WouldBlock from None
        self._after_operation()
        return frames

    async def send_multipart(self, frames: Sequence[bytes]) -> None:
        """Queue one multipart message for sending.

        DEALER/REQ: waits (cancellably; a cancelled send sends nothing) until ZeroMQ accepts
        it, e.g. while a DEALER has no peer yet. ROUTER: never waits; see
        :meth:`send_multipart_nowait` for the errors.
        """
        self._check_open()
        await trio.lowlevel.checkpoint_if_cancelled()
        yielded = False
        while True:
            try:
                self.send_multipart_nowait(frames)
            except trio.WouldBlock:
                yielded |= await self._wait_for(_POLLOUT)
                continue
            if not yielded:
                await trio.lowlevel.cancel_shielded_checkpoint()
            return

    def send_multipart_nowait(self, frames: Sequence[bytes]) -> None:
        """Queue one multipart message if ZeroMQ takes it right now. Not a checkpoint.

        Raises ``trio.WouldBlock`` on a DEALER/REQ that cannot send yet. On a ROUTER,
        ``frames[0]`` is the routing id: an unknown or disconnected peer raises
        :class:`PeerGone`, a peer whose queue is full raises :class:`PeerBusy`.
        """
        self._check_open()
        try:
            self._send_frames(frames)
        except zmq.Again:
            if self._is_router:
                raise PeerBusy(bytes(frames[0])) from None
            raise trio.WouldBlock from None
        except zmq.ZMQError as exc:
            if self._is_router and exc.errno == errno.EHOSTUNREACH:
                raise PeerGone(bytes(frames[0])) from None
            raise
        finally:
            # Any attempt may consume the FD's edge while messages wait: wake the reader.
            self._after_operation()

    # -- closing -------------------------------------------------------------------------

    def close(self, linger: int | None = None) -> None:
        """Close the socket; tasks waiting on it get ``trio.ClosedResourceError``.

        ``linger`` (ms) overrides the socket's LINGER for this close. Idempotent.
        """
        if self._closed:
            return
        self._closed = True
        # Outside trio.run (RuntimeError) nobody can be waiting on the FD.
        with contextlib.suppress(RuntimeError):
            trio.lowlevel.notify_closing(self._fd)
        self._parked.set()
        self._sock.close(linger=linger)

    # -- waiting (private) -----------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise trio.ClosedResourceError("the ZeroMQ socket is closed")

    def _recv_frames(self) -> list[bytes]:
        # pyzmq's recv_multipart/send_multipart, minus its enum flag arithmetic (~6 µs a reply).
        # A zero-copy Frame carries its RCVMORE flag (read in C): cheaper than bytes plus a
        # Python-level getsockopt(RCVMORE) per frame.
        self._events_fresh = False
        recv = self._recv
        frame = recv(_NOBLOCK, copy=False)
        frames: list[bytes] = [frame.bytes]
        while frame.more:
            frame = recv(_NOBLOCK, copy=False)
            frames.append(frame.bytes)
        return frames

    def _send_frames(self, frames: Sequence[bytes]) -> None:
        # ZeroMQ checks routing and the high-water mark on the first frame only, so an error
        # can only come from it and a message is never sent in part.
        if not frames:
            raise ValueError("a ZeroMQ message needs at least one frame")
        self._events_fresh = False
        send = self._send
        last = len(frames) - 1
        for i in range(last):
            send(frames[i], _NOBLOCK_SNDMORE)
        send(frames[last], _NOBLOCK)

    def _after_operation(self) -> None:
        """Rule 2: an operation may have consumed the FD's edge; wake any waiter it concerns.
        With no waiter there is nobody to wake, and the next wait reads EVENTS anyway."""
        if self._want_in or self._want_out:
            self._events()
        else:
            self._last_events = 0  # unknown: the next receive asks EVENTS first
            self._events_fresh = False

    def _events(self) -> int:
        """Read EVENTS (which consumes the FD's edge) and wake whoever it concerns."""
        events: int = self._sock.get(_EVENTS)
        self._last_events = events
        self._events_fresh = True
        if (events & _POLLIN and self._want_in) or (events & _POLLOUT and self._want_out):
            self._wake_waiters()
        return events

    def _wake_waiters(self) -> None:
        if self._fd_waiting:
            # Wakes the FD waiter with ClosedResourceError; it sees the socket is still open
            # and treats that as a wake-up. (Trio only drops the FD's epoll registration;
            # the next wait re-adds it.) Cheaper than a cancel scope around every FD wait.
            trio.lowlevel.notify_closing(self._fd)
        self._wake_parked()

    def _wake_parked(self) -> None:
        if self._parked_count:
            self._parked.set()
            self._parked = trio.Event()

    async def _wait_for(self, flag: int) -> bool:
        """Return once ``EVENTS & flag``; True if the task actually waited (a checkpoint)."""
        waited = False
        while True:
            self._check_open()
            # A look at EVENTS with no socket operation since is as good as a fresh one.
            events = self._last_events if self._events_fresh else self._events()
            if events & flag:
                return waited
            waited = True
            self._events_fresh = False  # whatever wakes this wait, look at EVENTS again
            self._want(flag, 1)
            try:
                if not self._fd_waiting:
                    await self._wait_on_fd()
                else:
                    self._parked_count += 1
                    try:
                        await self._parked.wait()
                    finally:
                        self._parked_count -= 1
            finally:
                self._want(flag, -1)

    async def _wait_on_fd(self) -> None:
        self._fd_waiting = True
        try:
            await trio.lowlevel.wait_readable(self._fd)
        except trio.ClosedResourceError:
            if self._closed:
                raise
            # else: woken on purpose by _wake_waiters; the caller re-checks EVENTS
        finally:
            self._fd_waiting = False
            # Parked tasks re-check EVENTS; one of them takes over the FD if still needed.
            self._wake_parked()

    def _want(self, flag: int, delta: int) -> None:
        if flag == _POLLIN:
            self._want_in += delta
        else:
            self._want_out += delta


def _frame_sender(sock: zmq.Socket) -> Callable[[bytes, int], Any]:
    """``sock.send`` without pyzmq's Python-level wrapper when nothing overrides it: that
    wrapper only adds the DRAFT ``routing_id``/``group`` arguments this project never uses,
    and costs ~1 µs per frame (3 frames a reply)."""
    if type(sock).send is zmq.Socket.send:
        return super(zmq.Socket, sock).send  # type: ignore[no-any-return]
    return sock.send


def _new_socket(
    context: zmq.Context, socket_type: int, options: SocketOptions | None
) -> zmq.Socket:
    sock = context.socket(socket_type)
    try:
        sock.setsockopt(zmq.LINGER, DEFAULT_LINGER_MS)
        for option, value in (options or {}).items():
            sock.setsockopt(option, value)
    except BaseException:
        sock.close(linger=0)
        raise
    return sock
