"""``recv_multipart_nowait`` / ``RouterEndpoint.receive_nowait``: take what is queued, never
wait, and never leave a reader asleep with messages queued (the FD's edge rules still hold
when the reader skips its EVENTS re-read because nothing touched the socket since)."""

from __future__ import annotations

import select
import time
from collections.abc import Callable

import pytest
import trio
import trio.testing
import zmq

from stui_trio.transport import Incoming, RouterEndpoint


def landed(fd: int) -> None:
    """Block until the ZeroMQ FD signals (a message arrived while Trio was not looking)."""
    assert select.select([fd], [], [], 5.0)[0]
    time.sleep(0.02)


async def test_nowait_takes_queued_messages_in_order_then_would_block(
    router: RouterEndpoint, peer: Callable[..., zmq.Socket]
) -> None:
    dealer = peer(zmq.DEALER, router.endpoints[0], identity=b"d")
    with pytest.raises(trio.WouldBlock):
        router.receive_nowait()
    for i in range(5):
        dealer.send_multipart([b"", b"m%d" % i])
    with trio.fail_after(5):
        first = await router.receive()
    assert isinstance(first, Incoming) and first.body == b"m0"
    landed_deadline = time.monotonic() + 5
    bodies = []
    while len(bodies) < 4 and time.monotonic() < landed_deadline:
        try:
            message = router.receive_nowait()
        except trio.WouldBlock:
            await trio.sleep(0.01)
            continue
        assert isinstance(message, Incoming) and message.envelope.has_delimiter
        bodies.append(message.body)
    assert bodies == [b"m1", b"m2", b"m3", b"m4"]
    with pytest.raises(trio.WouldBlock):
        router.receive_nowait()


async def test_a_message_after_an_empty_nowait_wakes_the_reader(
    router: RouterEndpoint, peer: Callable[..., zmq.Socket]
) -> None:
    """The empty nowait read EVENTS (consuming the edge); the wait that follows relies on
    that look. A message arriving afterwards must still wake it."""
    dealer = peer(zmq.DEALER, router.endpoints[0], identity=b"d")
    with pytest.raises(trio.WouldBlock):
        router.receive_nowait()
    got: list[bytes] = []

    async def reader() -> None:
        message = await router.receive()
        assert isinstance(message, Incoming)
        got.append(message.body)

    with trio.fail_after(3):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(reader)
            await trio.testing.wait_all_tasks_blocked(0.05)
            dealer.send(b"late")
    assert got == [b"late"]


@pytest.mark.parametrize("between", ["send", "raw_socket"])
async def test_an_operation_between_empty_nowait_and_wait_forces_a_fresh_look(
    router: RouterEndpoint, peer: Callable[..., zmq.Socket], between: str
) -> None:
    """A send (or anything done through ``zmq_socket``) after the empty nowait may consume
    the edge of a message that lands meanwhile: the wait must look at EVENTS again."""
    dealer = peer(zmq.DEALER, router.endpoints[0], identity=b"d")
    dealer.send(b"hello")
    with trio.fail_after(5):
        first = await router.receive()
    assert isinstance(first, Incoming)
    with pytest.raises(trio.WouldBlock):
        router.receive_nowait()
    dealer.send(b"queued")
    fd = router.socket.zmq_socket.FD
    landed(fd)
    if between == "send":
        router.send_nowait(first.envelope, b"reply")  # consumes the edge
    else:
        router.socket.zmq_socket.getsockopt(zmq.EVENTS)  # so does this
    assert not select.select([fd], [], [], 0)[0], "the edge is gone"
    with trio.fail_after(3):
        message = await router.receive()
    assert isinstance(message, Incoming) and message.body == b"queued"
    if between == "send":
        assert dealer.recv() == b"reply"


async def test_nowait_on_a_closed_router_raises_closed(router: RouterEndpoint) -> None:
    router.close()
    with pytest.raises(trio.ClosedResourceError):
        router.receive_nowait()
