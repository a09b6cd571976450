"""Fixtures for the transport tests: a fresh ZeroMQ context per test, and a bound router.

Every socket is real (tcp on 127.0.0.1 with a wildcard port, or ipc in a tmp dir); the context
is destroyed with linger 0 at teardown so a failing test cannot leave sockets behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import zmq

from stui_trio.transport import RouterEndpoint

ANY_PORT = "tcp://127.0.0.1:*"


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def router(ctx: zmq.Context) -> Iterator[RouterEndpoint]:
    endpoint = RouterEndpoint.bind(ctx, ANY_PORT)
    yield endpoint
    endpoint.close()


@pytest.fixture
def peer(ctx: zmq.Context) -> Callable[..., zmq.Socket]:
    """Factory of blocking pyzmq peers (REQ or DEALER) with a 5 s receive timeout."""

    def make(kind: int, endpoint: str, identity: bytes | None = None) -> zmq.Socket:
        sock = ctx.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, 5000)
        if identity is not None:
            sock.setsockopt(zmq.IDENTITY, identity)
        sock.connect(endpoint)
        return sock

    return make
