"""Property test of the protocol edge against a real server over a real socket: random bytes
and random JSON (shaped like requests, in both dialects) always get exactly one reply, a JSON
object with a status, and the server keeps serving.
"""

from __future__ import annotations

from typing import Any

import orjson
import zmq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import WireClient

COMMANDS = [
    "ping", "create_session", "restore_session", "validate_session", "update_session_state",
    "close_session", "get_session_info", "list_client_sessions", "get_session_statistics",
    "validate_feature_access", "system_info", "evaluate", "",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
client_ids = st.one_of(st.sampled_from(["p1", "p2", "a/b", "x" * 65]), json_values)
command_requests = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=130), json_values),
        "command": st.one_of(st.sampled_from(COMMANDS), json_values),
        "client_id": client_ids,
        "session_id": st.one_of(st.text(max_size=40), json_values),
        "parameters": json_values,
        "state_data": json_values,
        "client_info": json_values,
        "feature": json_values,
        "message": json_values,
    },
)
envelope_requests = st.fixed_dictionaries(
    {"payload": st.one_of(
        json_values,
        st.fixed_dictionaries({"type": st.sampled_from(["Request", "Response", 3]),
                               "data": st.one_of(json_values, st.fixed_dictionaries(
                                   {"request_type": st.sampled_from(
                                       ["Ping", "SystemInfo", "CreateSession", "Evaluate",
                                        "1bad", ""]) | json_values,
                                    "params": json_values}))}),
    )},
    optional={"id": json_values, "version": json_values, "client_id": client_ids},
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.just(b'{"command": "ping", "message": 123456789012345678901234567890}'),
    json_values.map(orjson.dumps),
    command_requests.map(orjson.dumps),
    envelope_requests.map(orjson.dumps),
)


def check_reply(reply: Any) -> None:
    assert isinstance(reply, dict)
    if "payload" in reply:
        assert reply["payload"]["type"] == "Response"
        assert reply["payload"]["data"]["response_type"]
    else:
        assert reply["status"] in ("success", "error")
        if reply["status"] == "error":
            assert reply["error_type"] and reply["error"]
    assert isinstance(reply["id"], str) and reply["timestamp"].endswith("Z")


def test_random_input_gets_exactly_one_reply(server) -> None:
    client = WireClient(server.endpoint, "prop", kind=zmq.DEALER, timeout_ms=5000)
    seq = iter(range(10**6))

    @settings(max_examples=200, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(body=bodies)
    def one(body: bytes) -> None:
        client.send_raw(body)
        check_reply(client.recv())
        # The next reply must answer the next request: nothing extra was sent back.
        marker = f"m-{next(seq)}"
        client.send_raw(orjson.dumps({"id": marker, "command": "ping"}))
        assert client.recv()["id"] == marker

    try:
        one()
        assert client.ok("get_session_statistics")["requests"]["total"] >= 400
    finally:
        client.close()
