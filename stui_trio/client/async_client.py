"""The Trio client, on the project's ZeroMQ-on-Trio adapter (:mod:`stui_trio.transport`).

Open it as an async context manager; it owns a nursery for as long as it is open::

    async with AsyncClient.connect("tcp://127.0.0.1:5555", kind="dealer") as client:
        await client.create_session()
        async with trio.open_nursery() as n:
            for i in range(50):
                n.start_soon(client.evaluate, f"{i} factorial")

DEALER mode: any number of tasks may ``await client.request(...)`` at once. Each registers
its id in a table of pending replies and sends; one reader task receives every reply and
hands it to the waiting task by id. A timed-out attempt is resent with the same id on the
same socket; a late duplicate reply finds no waiter and is dropped.

REQ mode: one request at a time (a lock serializes callers); on timeout the socket is closed
and reopened and the same id resent, the lazy-pirate pattern the sync client uses too.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import attrs
import trio
import zmq

from stui_trio.client import wire
from stui_trio.client.commands import Commands
from stui_trio.client.errors import BadReply, RequestTimedOut
from stui_trio.client.wire import ClientOptions, SocketKind
from stui_trio.transport import TrioSocket

log = logging.getLogger(__name__)


@attrs.define
class _Pending:
    """Where the reader leaves one request's reply for the task awaiting it."""

    arrived: trio.Event = attrs.field(factory=trio.Event)
    reply: dict[str, Any] | None = None


class AsyncClient(Commands[Awaitable[dict[str, Any]]]):
    """A STUI client for Trio programs. Create it with :meth:`connect`."""

    def __init__(self, options: ClientOptions, context: zmq.Context[Any]) -> None:
        self.options = options
        self.session_id: str | None = None
        self._context = context
        self._ids = wire.IdSource()
        self._socket: TrioSocket | None = None
        self._pending: dict[str, _Pending] = {}
        self._req_lock = trio.Lock()

    @property
    def client_id(self) -> str:
        return self.options.client_id

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        endpoint: str | None = None,
        *,
        options: ClientOptions | None = None,
        **option_fields: Any,
    ) -> AsyncIterator[AsyncClient]:
        """Open a client for the duration of the ``async with`` block."""
        if options is None:
            if endpoint is None:
                raise TypeError("give an endpoint or options=")
            options = ClientOptions(endpoint=endpoint, **option_fields)
        context: zmq.Context[Any] = zmq.Context()
        client = cls(options, context)
        client._open()
        try:
            async with trio.open_nursery() as nursery:
                if options.kind is SocketKind.DEALER:
                    nursery.start_soon(client._read_replies)
                try:
                    yield client
                finally:
                    nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            # The reader never raises (it logs and drops bad replies), so a group here holds
            # the caller's own exception: hand it back unwrapped, as a plain `with` would.
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
        finally:
            client._close_socket()
            context.term()

    def _open(self) -> None:
        kind = zmq.REQ if self.options.kind is SocketKind.REQ else zmq.DEALER
        sock = self._context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self.options.endpoint)
        self._socket = TrioSocket(sock)

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None

    # -- requests --------------------------------------------------------------------------
    async def request(self, command: str, /, **params: Any) -> dict[str, Any]:
        """Send one command; return its ``result`` or raise :class:`StuiError`."""
        if self.options.auth_token is not None:
            params.setdefault("auth_token", self.options.auth_token)
        message = wire.build_request(self._ids.next(), command, self.client_id, params)
        result = wire.result_of(await self._exchange(message))
        self.session_id = wire.session_after(command, result, self.session_id)
        return result

    async def request_raw(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Send any JSON object; return the reply object as received (``id`` added if none)."""
        message = dict(message)
        message.setdefault("id", self._ids.next())
        return await self._exchange(message)

    async def _exchange(self, message: Mapping[str, Any]) -> dict[str, Any]:
        body = wire.encode(message)
        if self.options.kind is SocketKind.REQ:
            reply = await self._exchange_req(message["id"], body)
        else:
            reply = await self._exchange_dealer(message["id"], body)
        if reply is None:
            raise RequestTimedOut(
                str(message.get("command", "request")), self.options.timeout,
                1 + max(0, self.options.retries),
            )
        return reply

    async def _exchange_req(self, request_id: str, body: bytes) -> dict[str, Any] | None:
        async with self._req_lock:
            for _ in range(1 + max(0, self.options.retries)):
                assert self._socket is not None, "client is closed"
                await self._socket.send_multipart([body])
                with trio.move_on_after(self.options.timeout):
                    while True:
                        reply = wire.decode_reply(await self._socket.recv_multipart())
                        if reply.get("id") == request_id:
                            return reply
                # Lazy pirate: a REQ socket without its reply is stuck; start a fresh one.
                self._close_socket()
                self._open()
        return None

    async def _exchange_dealer(self, request_id: str, body: bytes) -> dict[str, Any] | None:
        pending = self._pending.setdefault(request_id, _Pending())
        try:
            for _ in range(1 + max(0, self.options.retries)):
                assert self._socket is not None, "client is closed"
                await self._socket.send_multipart(wire.frames_for(SocketKind.DEALER, body))
                with trio.move_on_after(self.options.timeout):
                    await pending.arrived.wait()
                    return pending.reply
            return None
        finally:
            del self._pending[request_id]

    async def _read_replies(self) -> None:
        """The DEALER's one reader: every reply goes to the task waiting for its id."""
        assert self._socket is not None
        sock = self._socket
        while True:
            frames = await sock.recv_multipart()
            try:
                reply = wire.decode_reply(frames)
            except BadReply as exc:
                log.warning("dropping unreadable reply: %s", exc.message)
                continue
            pending = self._pending.get(str(reply.get("id")))
            if pending is None or pending.arrived.is_set():
                continue  # late or duplicate reply to a request nobody awaits any more
            pending.reply = reply
            pending.arrived.set()
