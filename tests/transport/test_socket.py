"""TrioSocket on its own, as the client library uses it: DEALER/REQ sockets, sends that must
wait, several tasks on one socket, closing."""

from __future__ import annotations

import pytest
import trio
import trio.testing
import zmq

from stui_trio.transport import EndpointError, TrioSocket

ANY_PORT = "tcp://127.0.0.1:*"


async def test_a_send_waits_for_a_peer_while_another_task_receives(ctx: zmq.Context) -> None:
    """A bound DEALER with no peer cannot send; the sender and a receiver wait side by side
    (one on the FD, one parked) and both finish once a peer connects."""
    with TrioSocket.bind(ctx, zmq.DEALER, ANY_PORT) as lonely:
        received: list[list[bytes]] = []
        sent = trio.Event()

        async def sender() -> None:
            await lonely.send_multipart([b"to whoever comes"])
            sent.set()

        async def receiver() -> None:
            received.append(await lonely.recv_multipart())

        with trio.fail_after(5):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(sender)
                nursery.start_soon(receiver)
                await trio.testing.wait_all_tasks_blocked(0.05)
                assert not sent.is_set()
                with TrioSocket.connect(ctx, zmq.DEALER, lonely.endpoints[0]) as peer:
                    assert await peer.recv_multipart() == [b"to whoever comes"]
                    await peer.send_multipart([b"welcome"])
                    await sent.wait()
        assert received == [[b"welcome"]]


async def test_a_cancelled_send_sends_nothing(ctx: zmq.Context) -> None:
    with TrioSocket.bind(ctx, zmq.DEALER, ANY_PORT) as lonely:
        with trio.move_on_after(0.05) as scope:
            await lonely.send_multipart([b"never"])
        assert scope.cancelled_caught
        with TrioSocket.connect(ctx, zmq.DEALER, lonely.endpoints[0]) as peer:
            await lonely.send_multipart([b"only this"])
            with trio.fail_after(5):
                assert await peer.recv_multipart() == [b"only this"]
            with trio.move_on_after(0.1):
                pytest.fail(f"unexpected {await peer.recv_multipart()!r}")


async def test_send_nowait_without_a_peer_would_block(ctx: zmq.Context) -> None:
    with TrioSocket.bind(ctx, zmq.DEALER, ANY_PORT) as lonely:
        with pytest.raises(trio.WouldBlock):
            lonely.send_multipart_nowait([b"nobody listens"])
        with TrioSocket.connect(ctx, zmq.DEALER, lonely.endpoints[0]) as peer:
            with trio.fail_after(5):
                while True:  # the connection is made in the background
                    try:
                        lonely.send_multipart_nowait([b"now someone does"])
                        break
                    except trio.WouldBlock:
                        await trio.sleep(0.01)
                assert await peer.recv_multipart() == [b"now someone does"]


async def test_several_receivers_on_one_socket_each_message_once(ctx: zmq.Context) -> None:
    with (
        TrioSocket.bind(ctx, zmq.DEALER, ANY_PORT) as server,
        TrioSocket.connect(ctx, zmq.DEALER, server.endpoints[0]) as client,
    ):
        got: list[bytes] = []

        async def receiver() -> None:
            while True:
                got.append((await server.recv_multipart())[0])

        with trio.fail_after(5):
            async with trio.open_nursery() as nursery:
                for _ in range(4):
                    nursery.start_soon(receiver)
                await trio.testing.wait_all_tasks_blocked(0.02)
                for i in range(200):
                    await client.send_multipart([b"%d" % i])
                    if i % 7 == 0:
                        await trio.sleep(0.001)
                while len(got) < 200:
                    await trio.sleep(0.01)
                nursery.cancel_scope.cancel()
        assert sorted(got) == sorted(b"%d" % i for i in range(200))


async def test_req_round_trip_and_state_errors_pass_through(ctx: zmq.Context) -> None:
    with (
        TrioSocket.bind(ctx, zmq.ROUTER, ANY_PORT) as router,
        TrioSocket.connect(ctx, zmq.REQ, router.endpoints[0], identity=b"req-1") as req,
    ):
        await req.send_multipart([b"q"])
        with pytest.raises(zmq.ZMQError):  # REQ: a second send before the reply (EFSM)
            await req.send_multipart([b"q2"])
        with trio.fail_after(5):
            assert await router.recv_multipart() == [b"req-1", b"", b"q"]
            await router.send_multipart([b"req-1", b"", b"a"])
            assert await req.recv_multipart() == [b"a"]


async def test_closed_socket_raises_closed_resource_error(ctx: zmq.Context) -> None:
    sock = TrioSocket.connect(ctx, zmq.DEALER, "tcp://127.0.0.1:1")
    async with sock:
        pass
    assert sock.closed
    with pytest.raises(trio.ClosedResourceError):
        await sock.recv_multipart()
    with pytest.raises(trio.ClosedResourceError):
        await sock.send_multipart([b"x"])


def test_close_outside_trio_run(ctx: zmq.Context) -> None:
    sock = TrioSocket.connect(ctx, zmq.DEALER, "tcp://127.0.0.1:1")
    sock.close()
    sock.close()
    assert sock.closed


async def test_connecting_to_a_bad_endpoint_names_it(ctx: zmq.Context) -> None:
    with pytest.raises(EndpointError, match="nowhere"):
        TrioSocket.connect(ctx, zmq.DEALER, "tcp://nowhere")
