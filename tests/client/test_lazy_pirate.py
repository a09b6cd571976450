"""Reliability: the server dies and comes back on the same endpoint, and the client's next
request still succeeds (REQ: close, reopen, resend the same id; DEALER: resend)."""

from __future__ import annotations

import threading

import pytest
import trio

from stui_trio.client import AsyncClient, Client


def _restart_later(server: object, delay: float) -> threading.Timer:
    timer = threading.Timer(delay, server.start, kwargs={"wait": False})  # type: ignore[attr-defined]
    timer.start()
    return timer


def test_sync_req_survives_a_restart(own_server) -> None:  # type: ignore[no-untyped-def]
    own_server.start()
    with Client(own_server.endpoint, client_id="pirate", timeout=0.4, retries=20) as client:
        assert client.ping("before")["message"] == "before"
        own_server.stop(kill=True)
        timer = _restart_later(own_server, 1.0)
        try:
            # Sent while nobody listens: the first attempts are lost with the dead peer.
            assert client.ping("after")["message"] == "after"
        finally:
            timer.join()


def test_sync_req_server_started_late(own_server) -> None:  # type: ignore[no-untyped-def]
    with Client(own_server.endpoint, client_id="early", timeout=0.4, retries=20) as client:
        timer = _restart_later(own_server, 0.6)
        try:
            assert client.ping("late")["message"] == "late"
        finally:
            timer.join()


@pytest.mark.parametrize("kind", ["req", "dealer"])
async def test_async_client_survives_a_restart(own_server, kind: str) -> None:  # type: ignore[no-untyped-def]
    own_server.start()
    async with AsyncClient.connect(own_server.endpoint, kind=kind, client_id=f"ap-{kind}",
                                   timeout=0.4, retries=20) as client:
        assert (await client.ping("before"))["message"] == "before"
        own_server.stop(kill=True)

        async def restart() -> None:
            await trio.sleep(1.0)
            await trio.to_thread.run_sync(own_server.start)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(restart)
            assert (await client.ping("after"))["message"] == "after"
