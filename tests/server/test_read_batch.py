"""The reader drains the socket in batches (``READ_BATCH`` messages per trip through Trio's
scheduler): a burst of several batches' worth, mixed inline, queued and rejected requests, is
answered exactly once each, and a client's queued requests keep their order."""

from __future__ import annotations

import orjson
import trio
import zmq

from stui_trio.config import build_config
from stui_trio.server.supervisor import READ_BATCH, Server
from stui_trio.transport import TrioSocket


async def test_a_burst_of_several_batches_is_answered_exactly_once(tmp_path) -> None:
    config = build_config(overrides={
        "endpoints": "tcp://127.0.0.1:*", "sessions_dir": str(tmp_path),
        "rate_limit_per_second": 0,
    })
    server = Server(config)
    context = zmq.Context()
    count = 3 * READ_BATCH + 7
    try:
        async with trio.open_nursery() as nursery:
            endpoints = await nursery.start(server.serve)
            with TrioSocket.connect(context, zmq.DEALER, endpoints[0]) as sock:
                bodies = []
                for i in range(count):
                    if i % 10 == 3:
                        bodies.append(b"{not json")  # rejected at the edge, no id
                    elif i % 5 == 1:
                        # queued on the client's task: answered in order
                        bodies.append(orjson.dumps({"id": f"q{i}", "command":
                                                    "list_client_sessions",
                                                    "client_id": "burst"}))
                    else:
                        bodies.append(orjson.dumps({"id": f"p{i}", "command": "ping",
                                                    "client_id": "burst"}))
                # One synchronous burst: everything is queued before the reader wakes.
                for body in bodies:
                    sock.send_multipart_nowait([b"", body])
                replies = []
                with trio.fail_after(10):
                    while len(replies) < count:
                        replies.append(orjson.loads((await sock.recv_multipart())[-1]))
                with trio.move_on_after(0.2):
                    extra = await sock.recv_multipart()
                    raise AssertionError(f"an extra reply: {extra!r}")
            server.request_shutdown()
    finally:
        context.term()
    ids = [r["id"] for r in replies]
    expected = {f"p{i}" for i in range(count) if i % 10 != 3 and i % 5 != 1}
    expected |= {f"q{i}" for i in range(count) if i % 10 != 3 and i % 5 == 1}
    assert {i for i in ids if not i.startswith("srv-")} == expected
    assert len(ids) == len(set(ids)) == count
    rejected = [r for r in replies if r["id"].startswith("srv-")]
    assert len(rejected) == sum(1 for i in range(count) if i % 10 == 3)
    assert all(r["error_type"] == "InvalidRequest" for r in rejected)
    queued = [i for i in ids if i.startswith("q")]
    assert queued == sorted(queued, key=lambda q: int(q[1:]))
    assert all(r["status"] == "success" for r in replies if r["id"][0] in "pq")
