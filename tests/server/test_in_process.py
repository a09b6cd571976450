"""The server run in-process under Trio (how other layers' tests can embed it): started with
``nursery.start``, spoken to over a real socket, stopped with ``request_shutdown``.
"""

from __future__ import annotations

import orjson
import trio
import zmq

from stui_trio.config import build_config
from stui_trio.protocol.commands import CommandContext
from stui_trio.server.supervisor import Server, default_registry
from stui_trio.transport import TrioSocket


async def test_embedded_server_with_an_extra_command(tmp_path) -> None:
    config = build_config(overrides={"endpoints": "tcp://127.0.0.1:*",
                                     "sessions_dir": str(tmp_path)})
    registry = default_registry(config)

    async def shout(ctx: CommandContext, _params: object) -> dict[str, object]:
        assert ctx.session is not None and ctx.client is not None
        return {"session": ctx.session.session_id, "client": ctx.client.client_id}

    registry.register("shout", shout, needs_session=True)
    server = Server(config, registry=registry)
    context = zmq.Context()
    async with trio.open_nursery() as nursery:
        endpoints = await nursery.start(server.serve)
        with TrioSocket.connect(context, zmq.DEALER, endpoints[0]) as sock:

            async def call(**msg: object) -> dict:
                await sock.send_multipart([b"", orjson.dumps(msg)])
                with trio.fail_after(5):
                    return orjson.loads((await sock.recv_multipart())[-1])

            created = await call(id="1", command="create_session", client_id="emb")
            sid = created["result"]["session_id"]
            reply = await call(id="2", command="shout", client_id="emb", session_id=sid)
            assert reply["result"] == {"session": sid, "client": "emb"}
            reply = await call(id="3", command="shout", client_id="emb")
            assert reply["error_type"] == "InvalidRequest" and "session_id" in reply["error"]
            reply = await call(id="4", command="shout", client_id="other", session_id=sid)
            assert reply["error_type"] == "AccessDenied"
            server.request_shutdown()
    context.term()
    assert server.shutting_down
