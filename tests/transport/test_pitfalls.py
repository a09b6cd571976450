"""One regression test per pitfall in shared/notes/transport.md, on real loopback sockets.

(a) a send swallows the FD's readable edge while messages are queued -> the reader must not stall
(b) cancelled receives must not lose messages
(c) a reply to a vanished peer raises PeerGone (ROUTER_MANDATORY) and the router keeps working
(d) closing (notify_closing) while tasks wait on receive ends them cleanly
"""

from __future__ import annotations

import random
import select
import time
from collections.abc import Callable

import pytest
import trio
import trio.testing
import zmq

from stui_trio.transport import Envelope, Incoming, PeerGone, RouterEndpoint, TrioSocket

ANY_PORT = "tcp://127.0.0.1:*"


# -- (a) a send swallowing the readable edge -----------------------------------------------


def arrived_unseen(fd: int) -> bool:
    """Block (the whole Trio loop, on purpose) until the ZeroMQ FD signals, so messages arrive
    while Trio is not watching; then give the rest of the burst a moment to land."""
    readable = bool(select.select([fd], [], [], 5.0)[0])
    time.sleep(0.02)
    return readable


def test_the_pitfall_is_real_a_send_consumes_the_readable_edge(
    ctx: zmq.Context, peer: Callable[..., zmq.Socket]
) -> None:
    """Plain pyzmq, no adapter: shows the condition test (a) builds exists on this machine."""
    raw = ctx.socket(zmq.ROUTER)
    raw.setsockopt(zmq.LINGER, 0)
    port = raw.bind_to_random_port("tcp://127.0.0.1")
    dealer = peer(zmq.DEALER, f"tcp://127.0.0.1:{port}", identity=b"p")
    dealer.send(b"hello")
    assert raw.recv_multipart() == [b"p", b"hello"]
    assert not raw.EVENTS & zmq.POLLIN  # drained; the FD edge is consumed
    dealer.send(b"queued")
    assert arrived_unseen(raw.FD), "a queued message makes the FD readable"
    raw.send_multipart([b"p", b"reply"])
    assert raw.EVENTS & zmq.POLLIN, "the message is still queued..."
    assert not select.select([raw.FD], [], [], 0)[0], "...but the send consumed the edge"
    raw.close()


@pytest.mark.parametrize("send", ["send", "send_nowait"])
async def test_send_swallowing_the_readable_edge_does_not_stall_the_router_reader(
    router: RouterEndpoint, peer: Callable[..., zmq.Socket], send: str
) -> None:
    dealer = peer(zmq.DEALER, router.endpoints[0], identity=b"peer-a")
    dealer.send(b"hello")
    with trio.fail_after(5):
        first = await router.receive()
    assert isinstance(first, Incoming)

    got: list[bytes] = []

    async def reader() -> None:
        while len(got) < 2:
            message = await router.receive()
            assert isinstance(message, Incoming)
            got.append(message.body)

    with trio.fail_after(3):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(reader)
            await trio.testing.wait_all_tasks_blocked(0.05)  # reader parked on the FD
            dealer.send(b"queued-1")
            dealer.send(b"queued-2")
            assert arrived_unseen(router.socket.zmq_socket.FD)
            if send == "send":
                await router.send(first.envelope, b"reply")  # consumes the edge
            else:
                router.send_nowait(first.envelope, b"reply")
    assert got == [b"queued-1", b"queued-2"]
    assert dealer.recv() == b"reply"


async def test_send_swallowing_the_readable_edge_does_not_stall_a_dealer_reader(
    ctx: zmq.Context,
) -> None:
    raw = ctx.socket(zmq.ROUTER)
    raw.setsockopt(zmq.LINGER, 0)
    port = raw.bind_to_random_port("tcp://127.0.0.1")
    with TrioSocket.connect(ctx, zmq.DEALER, f"tcp://127.0.0.1:{port}", identity=b"d") as dealer:
        await dealer.send_multipart([b"hello"])
        assert raw.recv_multipart() == [b"d", b"hello"]  # blocking: arrives within ms
        got: list[list[bytes]] = []

        async def reader() -> None:
            while len(got) < 2:
                got.append(await dealer.recv_multipart())

        with trio.fail_after(3):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(reader)
                await trio.testing.wait_all_tasks_blocked(0.05)
                raw.send_multipart([b"d", b"r1"])
                raw.send_multipart([b"d", b"r2"])
                assert arrived_unseen(dealer.zmq_socket.FD)
                await dealer.send_multipart([b"more"])  # consumes the edge
        assert got == [[b"r1"], [b"r2"]]
    raw.close()


# -- (b) cancelled receives ------------------------------------------------------------------


async def test_cancelled_receives_lose_no_message(ctx: zmq.Context, router: RouterEndpoint) -> None:
    peers = [TrioSocket.connect(ctx, zmq.DEALER, router.endpoints[0]) for _ in range(4)]
    expected = {f"{k}-{i}".encode() for k in range(4) for i in range(25)}
    rng = random.Random(7)

    async def send_all(sock: TrioSocket, k: int) -> None:
        for i in range(25):
            await sock.send_multipart([f"{k}-{i}".encode()])
            await trio.sleep(rng.uniform(0, 0.004))

    received: list[bytes] = []
    cancelled = 0
    with trio.fail_after(15):
        async with trio.open_nursery() as nursery:
            for k, sock in enumerate(peers):
                nursery.start_soon(send_all, sock, k)
            while len(received) < len(expected):
                with trio.move_on_after(rng.uniform(0.0002, 0.003)) as scope:
                    message = await router.receive()
                    assert isinstance(message, Incoming)
                    received.append(message.body)
                cancelled += scope.cancelled_caught
    assert sorted(received) == sorted(expected)  # each exactly once
    assert cancelled >= 10, "the test must actually cancel receives"
    with trio.move_on_after(0.1):
        extra = await router.receive()
        pytest.fail(f"unexpected extra message {extra!r}")
    for sock in peers:
        sock.close()


async def test_a_message_arriving_as_the_deadline_expires_is_not_lost(
    router: RouterEndpoint, peer: Callable[..., zmq.Socket]
) -> None:
    """Deterministic worst case: the receiver is woken by the FD *and* its deadline expires in
    the same run-loop turn (Trio handles I/O first, then deadlines). An adapter with any
    cancellable checkpoint between taking the message and returning it loses it here."""
    dealer = peer(zmq.DEALER, router.endpoints[0])
    outcome: list[bytes] = []

    async def receiver() -> None:
        with trio.move_on_after(0.05):
            message = await router.receive()
            assert isinstance(message, Incoming)
            outcome.append(message.body)

    for i in range(5):
        body = b"just in time %d" % i
        async with trio.open_nursery() as nursery:
            nursery.start_soon(receiver)
            await trio.testing.wait_all_tasks_blocked(0.01)
            dealer.send(body)
            arrived_unseen(router.socket.zmq_socket.FD)
            time.sleep(0.06)  # the receiver's deadline passes, Trio still not looking
        if not outcome:  # cancelled first: then the message must still be queued
            with trio.fail_after(2):
                message = await router.receive()
            assert isinstance(message, Incoming)
            outcome.append(message.body)
        assert outcome == [body]
        outcome.clear()


async def test_a_receive_cancelled_before_it_starts_leaves_queued_messages(
    ctx: zmq.Context, router: RouterEndpoint
) -> None:
    with TrioSocket.connect(ctx, zmq.DEALER, router.endpoints[0]) as dealer:
        for i in range(3):
            await dealer.send_multipart([b"m%d" % i])
        await trio.sleep(0.1)  # all three are queued in the router now
        for _ in range(10):
            with trio.CancelScope() as scope:
                scope.cancel()
                await router.receive()
            assert scope.cancelled_caught
        with trio.fail_after(2):
            bodies = [getattr(await router.receive(), "body", None) for _ in range(3)]
    assert bodies == [b"m0", b"m1", b"m2"]


# -- (c) ROUTER_MANDATORY ----------------------------------------------------------------------


async def test_reply_to_a_vanished_peer_raises_peer_gone_and_router_keeps_working(
    ctx: zmq.Context, router: RouterEndpoint
) -> None:
    gone = TrioSocket.connect(ctx, zmq.DEALER, router.endpoints[0], identity=b"gone")
    await gone.send_multipart([b"hi"])
    with trio.fail_after(5):
        request = await router.receive()
    assert isinstance(request, Incoming)
    gone.close(linger=0)
    # Replies succeed until the router has noticed the disconnect, then PeerGone.
    with trio.fail_after(5):
        while True:
            try:
                await router.send(request.envelope, b"late reply")
            except PeerGone as exc:
                assert exc.routing_id == b"gone"
                break
            await trio.sleep(0.01)
    with pytest.raises(PeerGone, match="6e657665722d776173"):  # hex of b"never-was"
        await router.send(Envelope(b"never-was", has_delimiter=False), b"x")

    with TrioSocket.connect(ctx, zmq.REQ, router.endpoints[0]) as alive, trio.fail_after(5):
        await alive.send_multipart([b"ping"])
        request = await router.receive()
        assert isinstance(request, Incoming)
        await router.send(request.envelope, b"pong")
        assert await alive.recv_multipart() == [b"pong"]


# -- (d) close while waiting -------------------------------------------------------------------


def waiting_on_fds() -> int:
    statistics = trio.lowlevel.current_statistics().io_statistics
    return int(statistics.tasks_waiting_read)  # type: ignore[attr-defined]


async def test_close_while_tasks_wait_on_receive_ends_them_cleanly(ctx: zmq.Context) -> None:
    router = RouterEndpoint.bind(ctx, ANY_PORT)
    outcome: list[str] = []

    async def receiver() -> None:
        try:
            await router.receive()
        except trio.ClosedResourceError:
            outcome.append("receive raised ClosedResourceError")

    async def loop() -> None:
        async for _ in router:
            pass
        outcome.append("async for ended")

    with trio.fail_after(2):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(receiver)  # one waits on the FD...
            nursery.start_soon(loop)  # ...the other parks behind it
            await trio.testing.wait_all_tasks_blocked(0.02)
            before = waiting_on_fds()
            router.close()
            # notify_closing wakes the FD waiter inside close() itself, before ZeroMQ's reaper
            # thread closes the FD behind Trio's back.
            assert waiting_on_fds() == before - 1
    assert sorted(outcome) == ["async for ended", "receive raised ClosedResourceError"]
    with pytest.raises(trio.ClosedResourceError):
        await router.receive()
    router.close()  # idempotent
