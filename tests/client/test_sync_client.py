"""The blocking client against a real server process, over REQ and over DEALER."""

from __future__ import annotations

import pytest

from stui_trio.client import (
    Client,
    NoSession,
    RequestTimedOut,
    StuiError,
    envelope_request,
    response_type,
    result_of,
)

KINDS = ["req", "dealer"]


@pytest.mark.parametrize("kind", KINDS)
def test_session_lifecycle(endpoint: str, kind: str) -> None:
    with Client(endpoint, kind=kind, client_id=f"sync-{kind}", timeout=3) as client:
        pong = client.ping("hello")
        assert pong["message"] == "hello"
        assert pong["status"] == "ready"

        created = client.create_session({"platform": "pytest", "version": "1"})
        sid = created["session_id"]
        assert client.session_id == sid
        assert created["client_id"] == f"sync-{kind}"

        updated = client.update_session_state({"workspace_context": {"x": {"print_string": "3"}}})
        assert updated == {**updated, "session_id": sid, "update_successful": True}
        assert client.validate_session()["valid"] is True
        assert client.get_session_info()["session_id"] == sid
        listed = client.list_client_sessions()
        assert sid in [s["session_id"] for s in listed["sessions"]]
        assert client.get_session_statistics()["total_sessions"] >= 1

        assert client.close_session()["closed"] is True
        assert client.session_id is None
        with pytest.raises(NoSession):
            client.get_session_info()


@pytest.mark.parametrize("kind", KINDS)
def test_error_replies_raise_with_their_type(endpoint: str, kind: str) -> None:
    with Client(endpoint, kind=kind, client_id=f"err-{kind}", timeout=3) as client:
        with pytest.raises(StuiError) as missing:
            client.restore_session("no-such-session")
        assert missing.value.error_type == "SessionNotFound"
        assert missing.value.message

        with pytest.raises(StuiError) as unknown:
            client.request("no_such_command")
        assert unknown.value.error_type == "UnknownCommand"
        assert "ping" in unknown.value.message

        sid = client.create_session()["session_id"]
        with Client(endpoint, kind=kind, client_id=f"other-{kind}", timeout=3) as other:
            with pytest.raises(StuiError) as denied:
                other.get_session_info(session_id=sid)
            assert denied.value.error_type == "AccessDenied"
        client.close_session()

    with Client(endpoint, kind=kind, client_id="bad/client", timeout=3) as bad:
        with pytest.raises(StuiError) as invalid:
            bad.ping()
        assert invalid.value.error_type == "InvalidRequest"
        assert "client_id" in invalid.value.message


def test_reconnecting_client_finds_its_session(endpoint: str) -> None:
    with Client(endpoint, client_id="comes-back", timeout=3) as first:
        sid = first.create_session()["session_id"]
    with Client(endpoint, client_id="comes-back", kind="dealer", timeout=3) as again:
        restored = again.restore_session(sid)
        assert restored["session_id"] == sid
        assert again.session_id == sid
        again.close_session()


@pytest.mark.parametrize("kind", KINDS)
def test_envelope_dialect(endpoint: str, kind: str) -> None:
    with Client(endpoint, kind=kind, client_id="env", timeout=3) as client:
        reply = client.request_raw(envelope_request("Ping", {}, client_id="env"))
        assert response_type(reply) == "Pong"
        assert reply["payload"]["type"] == "Response"
        assert result_of(reply)["status"] == "ready"

        error = client.request_raw(envelope_request("NoSuchThing", {}, client_id="env"))
        assert response_type(error) == "Error"
        with pytest.raises(StuiError) as raised:
            result_of(error)
        assert raised.value.error_type == "UnknownCommand"


def test_timeout_without_a_server(free_endpoint: str) -> None:
    with (
        Client(free_endpoint, client_id="alone", timeout=0.2, retries=1) as client,
        pytest.raises(RequestTimedOut) as timed_out,
    ):
        client.ping()
    assert timed_out.value.error_type == "ClientTimeout"
    assert timed_out.value.details["attempts"] == 2
