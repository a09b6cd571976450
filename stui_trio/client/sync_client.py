"""The blocking client, on plain pyzmq: for scripts, the console and benchmark workers.

REQ mode follows ZeroMQ's "lazy pirate" pattern: a REQ socket that sent and got no reply is
stuck (it may not send again), so on timeout the client closes it (linger 0), opens a fresh
one, and resends the *same* request id, up to ``retries`` times. The server identifies the
client by ``client_id``, not by socket identity, so the new socket is the same client.

DEALER mode sends without the REQ lock-step; a blocking caller still waits for its own reply,
but replies that arrive late for an earlier (timed-out) id are read and dropped rather than
mistaken for the current answer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import zmq

from stui_trio.client import wire
from stui_trio.client.commands import Commands
from stui_trio.client.errors import RequestTimedOut
from stui_trio.client.wire import ClientOptions, SocketKind


class Client(Commands[dict[str, Any]]):
    """A blocking STUI client. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        options: ClientOptions | None = None,
        context: zmq.Context[Any] | None = None,
        **option_fields: Any,
    ) -> None:
        if options is None:
            if endpoint is None:
                raise TypeError("give an endpoint or options=")
            options = ClientOptions(endpoint=endpoint, **option_fields)
        self.options = options
        self.session_id: str | None = None
        self._ids = wire.IdSource()
        self._own_context = context is None
        self._context = context or zmq.Context()
        self._socket: zmq.Socket[bytes] | None = None
        self._open()

    @property
    def client_id(self) -> str:
        return self.options.client_id

    def _open(self) -> None:
        kind = zmq.REQ if self.options.kind is SocketKind.REQ else zmq.DEALER
        sock = self._context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self.options.endpoint)
        self._socket = sock

    def _reopen(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
        self._open()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None
        if self._own_context:
            self._context.term()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- requests --------------------------------------------------------------------------
    def request(self, command: str, /, **params: Any) -> dict[str, Any]:
        """Send one command; return its ``result`` or raise :class:`StuiError`."""
        if self.options.auth_token is not None:
            params.setdefault("auth_token", self.options.auth_token)
        message = wire.build_request(self._ids.next(), command, self.client_id, params)
        result = wire.result_of(self._exchange(message))
        self.session_id = wire.session_after(command, result, self.session_id)
        return result

    def request_raw(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Send any JSON object (an envelope request, a malformed one...); return the reply
        object as received. An ``id`` is added if the message has none."""
        message = dict(message)
        message.setdefault("id", self._ids.next())
        return self._exchange(message)

    def _exchange(self, message: Mapping[str, Any]) -> dict[str, Any]:
        request_id = message["id"]
        frames = wire.frames_for(self.options.kind, wire.encode(message))
        attempts = 1 + max(0, self.options.retries)
        for attempt in range(attempts):
            assert self._socket is not None, "client is closed"
            self._socket.send_multipart(frames)
            try:
                reply = self._await_reply(request_id)
            except KeyboardInterrupt:
                # Ctrl-C while waiting (the console's interrupt): a REQ socket still owes a
                # reply and could never send again, so start a fresh one before letting go.
                self._reopen()
                raise
            if reply is not None:
                return reply
            if self.options.kind is SocketKind.REQ or attempt + 1 < attempts:
                # A REQ socket without its reply cannot send again: start over (lazy pirate).
                self._reopen()
        raise RequestTimedOut(str(message.get("command", "request")), self.options.timeout,
                              attempts)

    def _await_reply(self, request_id: str) -> dict[str, Any] | None:
        assert self._socket is not None
        deadline = time.monotonic() + self.options.timeout
        while (left := deadline - time.monotonic()) > 0:
            if not self._socket.poll(max(1, int(left * 1000)), zmq.POLLIN):
                return None
            reply = wire.decode_reply(self._socket.recv_multipart())
            if reply.get("id") == request_id:
                return reply
            # A late reply to an earlier attempt (DEALER): not ours any more, drop it.
        return None
