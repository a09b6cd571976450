"""The Trio client against a real server process: REQ, and DEALER with many requests in
flight from many tasks, each answer matched to its caller by id."""

from __future__ import annotations

import pytest
import trio

from stui_trio.client import AsyncClient, StuiError, envelope_request, response_type


@pytest.mark.parametrize("kind", ["req", "dealer"])
async def test_session_lifecycle(endpoint: str, kind: str) -> None:
    async with AsyncClient.connect(endpoint, kind=kind, client_id=f"async-{kind}",
                                   timeout=3) as client:
        assert (await client.ping("hi"))["message"] == "hi"
        sid = (await client.create_session())["session_id"]
        assert client.session_id == sid
        updated = await client.update_session_state({"workspace_context": {}})
        assert updated["update_successful"] is True
        listed = await client.list_client_sessions()
        assert [s["session_id"] for s in listed["sessions"]] == [sid]
        with pytest.raises(StuiError) as missing:
            await client.restore_session("not-a-session")
        assert missing.value.error_type == "SessionNotFound"
        reply = await client.request_raw(envelope_request("Ping", client_id=client.client_id))
        assert response_type(reply) == "Pong"
        await client.close_session()
        assert client.session_id is None


@pytest.mark.parametrize("kind", ["req", "dealer"])
async def test_concurrent_requests_get_their_own_replies(endpoint: str, kind: str) -> None:
    replies: dict[int, dict[str, object]] = {}
    async with AsyncClient.connect(endpoint, kind=kind, client_id=f"many-{kind}",
                                   timeout=5) as client:

        async def one(i: int) -> None:
            replies[i] = await client.ping(f"message {i}")

        async with trio.open_nursery() as nursery:
            for i in range(50):
                nursery.start_soon(one, i)
        assert not client._pending  # every waiter collected its reply
    assert {i: r["message"] for i, r in replies.items()} == {i: f"message {i}" for i in range(50)}


async def test_dealer_has_requests_in_flight_at_once(endpoint: str) -> None:
    """Requests overlap on the wire: more than one is pending at some moment."""
    async with AsyncClient.connect(endpoint, kind="dealer", client_id="overlap",
                                   timeout=5) as client:
        most_in_flight = 0
        finished = 0

        async def one(i: int) -> None:
            nonlocal finished
            result = await client.ping(f"m{i}")
            assert result["message"] == f"m{i}"
            finished += 1

        async def watch() -> None:
            nonlocal most_in_flight
            while finished < 50:
                most_in_flight = max(most_in_flight, len(client._pending))
                await trio.sleep(0)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(watch)
            for i in range(50):
                nursery.start_soon(one, i)
        assert most_in_flight > 1


async def test_error_inside_the_block_comes_out_unwrapped(endpoint: str) -> None:
    with pytest.raises(StuiError) as raised:
        async with AsyncClient.connect(endpoint, kind="dealer", client_id="unwrap",
                                       timeout=3) as client:
            await client.request("no_such_command")
    assert raised.value.error_type == "UnknownCommand"
