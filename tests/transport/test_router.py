"""RouterEndpoint over real sockets: peers of each kind, many peers, ipc, bind failures."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest
import trio
import zmq

from stui_trio.transport import (
    EndpointError,
    Incoming,
    MalformedFrames,
    PeerBusy,
    RouterEndpoint,
    TransportError,
    TrioSocket,
)

ANY_PORT = "tcp://127.0.0.1:*"


async def echo_one(router: RouterEndpoint) -> Incoming | MalformedFrames:
    """Answer one message: the body upper-cased, or b"malformed" for bad framing."""
    message = await router.receive()
    if isinstance(message, Incoming):
        await router.send(message.envelope, message.body.upper())
    elif message.envelope is not None:
        await router.send(message.envelope, b"malformed")
    return message


async def test_wildcard_port_is_resolved(router: RouterEndpoint) -> None:
    (endpoint,) = router.endpoints
    assert endpoint.startswith("tcp://127.0.0.1:")
    assert int(endpoint.rsplit(":", 1)[1]) > 0


async def test_req_peer_gets_a_reply_with_its_delimiter(
    ctx: zmq.Context, router: RouterEndpoint
) -> None:
    with TrioSocket.connect(ctx, zmq.REQ, router.endpoints[0]) as req, trio.fail_after(5):
        await req.send_multipart([b"hello"])
        message = await echo_one(router)
        assert isinstance(message, Incoming)
        assert message.envelope.has_delimiter
        assert await req.recv_multipart() == [b"HELLO"]


@pytest.mark.parametrize("delimiter", [True, False])
async def test_dealer_peer_gets_its_own_framing_back(
    ctx: zmq.Context, router: RouterEndpoint, delimiter: bool
) -> None:
    prefix = [b""] if delimiter else []
    with TrioSocket.connect(ctx, zmq.DEALER, router.endpoints[0]) as dealer, trio.fail_after(5):
        await dealer.send_multipart([*prefix, b"hello"])
        message = await echo_one(router)
        assert isinstance(message, Incoming)
        assert message.envelope.has_delimiter is delimiter
        assert await dealer.recv_multipart() == [*prefix, b"HELLO"]


async def test_malformed_frames_can_still_be_answered(
    ctx: zmq.Context, router: RouterEndpoint
) -> None:
    with TrioSocket.connect(ctx, zmq.DEALER, router.endpoints[0]) as dealer, trio.fail_after(5):
        await dealer.send_multipart([b"", b"part-1", b"part-2"])
        message = await echo_one(router)
        assert isinstance(message, MalformedFrames)
        assert await dealer.recv_multipart() == [b"", b"malformed"]
        await dealer.send_multipart([b""])
        assert isinstance(await echo_one(router), MalformedFrames)
        assert await dealer.recv_multipart() == [b"malformed"]


async def test_many_concurrent_dealer_peers_are_all_answered(
    ctx: zmq.Context, router: RouterEndpoint
) -> None:
    """50 DEALER peers x 20 requests in flight; replies sent from many tasks, out of order."""
    n_peers, per_peer = 50, 20
    rng = random.Random(1)

    async def reply_later(message: Incoming) -> None:
        await trio.sleep(rng.uniform(0, 0.005))
        if rng.random() < 0.5:
            await router.send(message.envelope, b"re:" + message.body)
        else:
            router.send_nowait(message.envelope, b"re:" + message.body)

    async def server(nursery: trio.Nursery) -> None:
        for _ in range(n_peers * per_peer):
            message = await router.receive()
            assert isinstance(message, Incoming)
            nursery.start_soon(reply_later, message)

    answers: dict[int, set[bytes]] = {}

    async def client(k: int) -> None:
        with TrioSocket.connect(ctx, zmq.DEALER, router.endpoints[0]) as dealer:
            for i in range(per_peer):
                await dealer.send_multipart([f"{k}:{i}".encode()])
            got = {(await dealer.recv_multipart())[0] for _ in range(per_peer)}
            answers[k] = got

    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server, nursery)
            for k in range(n_peers):
                nursery.start_soon(client, k)
    assert len(answers) == n_peers
    for k, got in answers.items():
        assert got == {f"re:{k}:{i}".encode() for i in range(per_peer)}


async def test_ipc_endpoint(ctx: zmq.Context, tmp_path: Path) -> None:
    path = f"ipc://{tmp_path}/stui.sock"
    with RouterEndpoint.bind(ctx, [ANY_PORT, path]) as router:
        assert router.endpoints[1] == path
        with TrioSocket.connect(ctx, zmq.REQ, path) as req, trio.fail_after(5):
            await req.send_multipart([b"over ipc"])
            await echo_one(router)
            assert await req.recv_multipart() == [b"OVER IPC"]


async def test_binding_a_taken_port_is_a_transport_error_naming_the_endpoint(
    ctx: zmq.Context, router: RouterEndpoint
) -> None:
    taken = router.endpoints[0]
    with pytest.raises(TransportError, match="already in use") as info:
        RouterEndpoint.bind(ctx, taken)
    assert isinstance(info.value, EndpointError)
    assert taken in str(info.value)
    assert info.value.endpoint == taken


async def test_binding_a_port_taken_by_another_program(ctx: zmq.Context) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        endpoint = f"tcp://127.0.0.1:{other.getsockname()[1]}"
        with pytest.raises(EndpointError, match="already in use"):
            RouterEndpoint.bind(ctx, endpoint)


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("tcp://127.0.0.1:notaport", "not a valid ZeroMQ endpoint"),
        ("carrier-pigeon://coop", "unsupported transport"),
        ("ipc:///no/such/dir/for/stui/x.sock", "does not exist"),
    ],
)
async def test_bad_endpoints_are_transport_errors(
    ctx: zmq.Context, endpoint: str, words: str
) -> None:
    with pytest.raises(EndpointError, match=words) as info:
        RouterEndpoint.bind(ctx, endpoint)
    assert endpoint in str(info.value)


async def test_a_failed_bind_releases_the_endpoints_already_bound(
    ctx: zmq.Context, tmp_path: Path
) -> None:
    first = f"ipc://{tmp_path}/first.sock"
    with pytest.raises(EndpointError):
        RouterEndpoint.bind(ctx, [first, "tcp://127.0.0.1:notaport"])
    with RouterEndpoint.bind(ctx, first) as again:  # binds: the failed router let go
        assert again.endpoints == (first,)


async def test_a_peer_that_stops_reading_gets_peer_busy_and_others_are_still_served(
    ctx: zmq.Context,
) -> None:
    with RouterEndpoint.bind(ctx, ANY_PORT, hwm=1) as router:
        stuck = TrioSocket.connect(
            ctx, zmq.DEALER, router.endpoints[0], options={zmq.RCVHWM: 1, zmq.RCVBUF: 4096}
        )
        with stuck, trio.fail_after(10):
            await stuck.send_multipart([b"hi"])
            request = await router.receive()
            assert isinstance(request, Incoming)
            big = b"x" * 256 * 1024
            with pytest.raises(PeerBusy):
                for _ in range(2000):  # kernel buffers fill after a few MB at most
                    await router.send(request.envelope, big)
                    await trio.sleep(0)
            with TrioSocket.connect(ctx, zmq.REQ, router.endpoints[0]) as req:
                await req.send_multipart([b"still there?"])
                await echo_one(router)
                assert await req.recv_multipart() == [b"STILL THERE?"]
