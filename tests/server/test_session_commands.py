"""Every session command over a real server subprocess: success and error cases."""

from __future__ import annotations

import re
import uuid

import pytest
import zmq

from tests.conftest import WireClient


def cid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def alice(wire) -> WireClient:
    return wire(cid("alice"))


@pytest.fixture
def bob(wire) -> WireClient:
    return wire(cid("bob"))


def test_ping_echoes_message_and_versions(alice: WireClient) -> None:
    reply = alice.call("ping", parameters={"message": "hello"})
    assert reply["id"] == "t-1" and reply["client_id"] == alice.client_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", reply["timestamp"])
    result = reply["result"]
    assert result["message"] == "hello" and result["status"] == "ready"
    assert result["protocol_version"] == 1 and result["uptime"] >= 0


def test_ping_without_client_id_and_made_up_id(wire) -> None:
    anon = wire(None)
    reply = anon.raw(b'{"command": "ping"}')
    assert reply["status"] == "success" and reply["id"].startswith("srv-")


def test_create_session_result_fields(alice: WireClient) -> None:
    info = {"platform": "linux", "version": "1.2", "capabilities": ["eval"],
            "subscription_tier": "team"}
    result = alice.ok("create_session", parameters={"client_info": info})
    assert len(result["session_id"]) >= 22  # >= 128 bits of base64url
    assert result["client_id"] == alice.client_id
    assert result["client_isolation"] == "enabled" and result["is_active"] is True
    assert result["max_sessions_per_client"] == 5 and result["timeout"] == 3600
    # A claimed tier is recorded as client_info, never granted without a token.
    assert result["subscription_tier"] == "free"
    assert result["client_info"]["platform"] == "linux"
    assert result["expires_at"] > result["created_at"]


def test_create_session_rejects_ill_typed_client_info(alice: WireClient) -> None:
    reply = alice.error(
        "create_session", "InvalidRequest", parameters={"client_info": {"capabilities": "x"}}
    )
    assert "client_info.capabilities" in reply["error"]


def test_session_limit(wire) -> None:
    carol = wire(cid("carol"))
    ids = [carol.ok("create_session")["session_id"] for _ in range(5)]
    assert len(set(ids)) == 5
    reply = carol.error("create_session", "SessionLimitExceeded")
    assert sorted(reply["details"]["session_ids"]) == sorted(ids)
    carol.ok("close_session", session_id=ids[0])
    carol.ok("create_session")


def test_update_then_restore_round_trip(alice: WireClient) -> None:
    sid = alice.ok("create_session")["session_id"]
    state = {"workspace_context": {"x": {"print_string": "7", "class": "SmallInteger",
                                         "object_ref": "o1"}},
             "inspector_state": {"open": ["o1"]}, "extra": [1, 2]}
    upd = alice.ok("update_session_state", parameters={"session_id": sid, "state_data": state})
    assert upd == {"session_id": sid, "last_modified": upd["last_modified"],
                   "update_successful": True}
    restored = alice.ok("restore_session", parameters={"session_id": sid})
    assert restored["workspace_context"] == state["workspace_context"]
    assert restored["inspector_state"] == {"open": ["o1"]}
    assert restored["history"] == [] and restored["transcript"] == []
    assert restored["state_data"] == {"extra": [1, 2]}
    assert restored["recovered_from_backup"] is False


def test_update_requires_state_data_object(alice: WireClient) -> None:
    sid = alice.ok("create_session")["session_id"]
    reply = alice.error("update_session_state", "InvalidRequest", session_id=sid)
    assert "state_data" in reply["error"] and reply["details"]["fields"] == ["state_data"]
    reply = alice.error("update_session_state", "InvalidRequest", session_id=sid,
                        state_data=[1])
    assert "expected an object" in reply["error"]


def test_validate_session(alice: WireClient) -> None:
    sid = alice.ok("create_session")["session_id"]
    result = alice.ok("validate_session", session_id=sid)
    assert result["valid"] is True and 3590 < result["time_until_expiry"] <= 3600
    result = alice.ok("validate_session", session_id="no-such-session")
    assert result["valid"] is False and result["reason"] == "SessionNotFound"


def test_get_session_info(alice: WireClient) -> None:
    sid = alice.ok("create_session")["session_id"]
    alice.ok("update_session_state", session_id=sid,
             state_data={"workspace_context": {"a": {}, "b": {}}, "history": [{"seq": 1}]})
    info = alice.ok("get_session_info", session_id=sid)
    assert info["is_expired"] is False and info["time_until_expiry"] > 0
    assert info["sizes"]["bindings"] == 2 and info["sizes"]["history_entries"] == 1
    assert info["sizes"]["state_bytes"] > 0


def test_close_session_then_not_found(alice: WireClient) -> None:
    sid = alice.ok("create_session")["session_id"]
    assert alice.ok("close_session", session_id=sid) == {"session_id": sid, "closed": True}
    for command in ("restore_session", "get_session_info", "close_session",
                    "update_session_state"):
        alice.error(command, "SessionNotFound", session_id=sid, state_data={})


def test_missing_session_id_names_field(alice: WireClient) -> None:
    for command in ("restore_session", "validate_session", "close_session",
                    "get_session_info"):
        reply = alice.error(command, "InvalidRequest")
        assert "session_id" in reply["error"]


def test_other_clients_session_is_access_denied(alice: WireClient, bob: WireClient) -> None:
    sid = alice.ok("create_session")["session_id"]
    for command in ("restore_session", "validate_session", "get_session_info",
                    "close_session", "update_session_state"):
        bob.error(command, "AccessDenied", session_id=sid, state_data={"x": 1})
    bob.error("validate_feature_access", "AccessDenied", feature="evaluate", session_id=sid)
    # Alice's session is untouched by Bob's attempts.
    assert alice.ok("restore_session", session_id=sid)["state_data"] == {}


def test_list_client_sessions_only_own(alice: WireClient, bob: WireClient) -> None:
    mine = {alice.ok("create_session")["session_id"] for _ in range(2)}
    bob.ok("create_session")
    result = alice.ok("list_client_sessions")
    assert result["client_id"] == alice.client_id and result["session_count"] == 2
    assert {s["session_id"] for s in result["sessions"]} == mine


def test_client_id_required_and_validated(wire) -> None:
    anon = wire(None)
    reply = anon.error("create_session", "InvalidRequest")
    assert "client_id" in reply["error"]
    for bad in ("../etc", "a" * 65, "", "a b", "é"):
        reply = wire(bad).error("create_session", "InvalidRequest")
        assert "client_id" in reply["error"] and reply["details"]["field"] == "client_id"


def test_statistics(alice: WireClient) -> None:
    before = alice.ok("get_session_statistics")
    alice.ok("create_session")
    after = alice.ok("get_session_statistics")
    assert after["sessions_created"] == before["sessions_created"] + 1
    assert after["total_sessions"] >= 1 and after["active_clients"] >= 1
    assert after["default_timeout"] == 3600 and after["cleanup_interval"] == 60
    assert after["requests"]["by_command"]["create_session"] >= 1
    assert after["requests"]["total"] > before["requests"]["total"]


def test_validate_feature_access(alice: WireClient) -> None:
    free = alice.ok("validate_feature_access", feature="evaluate")
    assert free["access_granted"] is True and free["subscription_tier"] == "free"
    denied = alice.ok("validate_feature_access", feature="remote_debugger")
    assert denied["access_granted"] is False and "pro" in denied["reason"]
    unknown = alice.ok("validate_feature_access", feature="teleport")
    assert unknown["access_granted"] is False and "unknown feature" in unknown["reason"]
    alice.error("validate_feature_access", "AuthenticationFailed", feature="evaluate",
                auth_token="not-a-token")
    alice.error("validate_feature_access", "InvalidRequest")


def test_system_info(alice: WireClient) -> None:
    info = alice.ok("system_info")
    assert set(info) >= {"server", "platform", "clients", "image"}
    assert "create_session" in info["server"]["commands"]
    assert "evaluate" in info["server"]["commands"]
    assert info["image"]["available"] is True
    assert set(alice.ok("system_info", info_type="clients")) == {"clients"}
    alice.error("system_info", "InvalidRequest", info_type="nope")


def test_unknown_command_lists_known(alice: WireClient) -> None:
    reply = alice.error("evaluate_everything", "UnknownCommand", code="3+4")
    assert "create_session" in reply["details"]["known_commands"]
    assert "create_session" in reply["error"]


def test_parameters_win_over_top_level(alice: WireClient) -> None:
    result = alice.ok("ping", message="top", parameters={"message": "inner"})
    assert result["message"] == "inner"
    assert alice.ok("ping", message="top")["message"] == "top"


def test_dealer_with_and_without_delimiter(wire) -> None:
    dealer = wire(cid("dealer"), kind=zmq.DEALER)
    dealer.send_raw(b'{"id": "d1", "command": "ping", "client_id": "d"}', delimiter=False)
    assert dealer.recv()["id"] == "d1"
    dealer.send_raw(b'{"id": "d2", "command": "ping", "client_id": "d"}', delimiter=True)
    frames = dealer.sock.recv_multipart()
    assert frames[0] == b"" and b'"d2"' in frames[1]
