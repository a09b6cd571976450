"""The protocol edge over real sockets: bad input of every kind gets exactly one error reply
and the server keeps serving; the envelope dialect's Ping and Error; 20 concurrent clients;
a reconnecting client finds its sessions.
"""

from __future__ import annotations

import threading
import uuid

import orjson
import zmq

from tests.conftest import WireClient


def cid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_bad_input_each_gets_one_error_reply(wire) -> None:
    client = wire(cid("edge"))
    cases = {
        b"\xff\xfe{": ("InvalidRequest", "UTF-8"),
        b"{not json": ("InvalidRequest", "not valid JSON"),
        b"[1, 2]": ("InvalidRequest", "JSON object"),
        b'"ping"': ("InvalidRequest", "JSON object"),
        b"{}": ("InvalidRequest", "command"),
        b'{"command": 5}': ("InvalidRequest", "command"),
        b'{"command": "ping", "id": 5}': ("InvalidRequest", "'id'"),
        b'{"command": "ping", "parameters": []}': ("InvalidRequest", "parameters"),
        b'{"command": "ping", "client_id": "a/b"}': ("InvalidRequest", "client_id"),
        b'{"command": "ping", "client_id": 7}': ("InvalidRequest", "client_id"),
        b'{"command": "launch_missiles", "client_id": "x"}': ("UnknownCommand", "known"),
        b'{"command": "create_session", "client_id": "x", "session_id": 3}':
            ("InvalidRequest", "session_id"),
    }
    for body, (error_type, words) in cases.items():
        reply = client.raw(body)
        assert reply["status"] == "error" and reply["error_type"] == error_type, (body, reply)
        assert words in reply["error"], (body, reply)
    assert client.ok("ping")["status"] == "ready"


def test_id_is_echoed_even_on_errors(wire) -> None:
    client = wire(cid("echo"))
    reply = client.raw(b'{"id": "keep-me", "command": "nope", "client_id": "x"}')
    assert reply["id"] == "keep-me" and reply["client_id"] == "x"
    reply = client.raw(b'{"id": "' + b"x" * 129 + b'", "command": "ping"}')
    assert reply["error_type"] == "InvalidRequest" and reply["id"].startswith("srv-")


def test_message_too_large(start_server) -> None:
    srv = start_server("--max-message-bytes", "1000")
    with WireClient(srv.endpoint, "big") as client:
        reply = client.call("ping", message="x" * 2000)
        assert reply["error_type"] == "MessageTooLarge" and reply["details"]["limit"] == 1000
        assert client.ok("ping", message="x" * 100)["message"] == "x" * 100


def test_multi_frame_body_is_invalid(wire) -> None:
    dealer = wire(cid("frames"), kind=zmq.DEALER)
    dealer.sock.send_multipart([b"", b'{"command": "ping"}', b"extra"])
    reply = dealer.recv()
    assert reply["error_type"] == "InvalidRequest" and "one body frame" in reply["error"]


def envelope(request_type: str, params: dict | None = None, **top) -> bytes:
    return orjson.dumps({
        "id": f"env-{request_type}", "version": "1.0.0", "timestamp": "2026-01-01T00:00:00Z",
        "payload": {"type": "Request", "data": {"request_type": request_type,
                                                "params": params or {}}},
        **top,
    })


def test_envelope_ping(wire) -> None:
    client = wire(None)
    reply = client.raw(envelope("Ping"))
    assert reply["id"] == "env-Ping" and reply["version"] == "1.0.0"
    data = reply["payload"]["data"]
    assert reply["payload"]["type"] == "Response" and data["response_type"] == "Pong"
    assert data["status"] == "ready" and data["protocol_version"] == 1


def test_envelope_errors(wire) -> None:
    client = wire(None)
    reply = client.raw(envelope("BrowseClass", {"class_name": "NoSuchClassAnywhere"}))
    data = reply["payload"]["data"]
    assert data["response_type"] == "Error" and data["code"] == "ClassNotFound"
    assert "NoSuchClassAnywhere" in data["message"]
    unknown = client.raw(envelope("Frobnicate"))["payload"]["data"]
    assert unknown["response_type"] == "Error" and unknown["code"] == "UnknownCommand"
    bad = client.raw(b'{"id": "e", "payload": {"type": "Request", "data": []}}')
    assert bad["payload"]["data"]["code"] == "InvalidRequest"
    assert "payload.data" in bad["payload"]["data"]["message"] and bad["id"] == "e"


def test_envelope_sessions_with_and_without_client_id(wire) -> None:
    client = wire(None)
    created = client.raw(envelope("CreateSession", client_id="rusty"))["payload"]["data"]
    assert created["response_type"] == "CreateSessionResult"
    assert created["client_id"] == "rusty"
    info = client.raw(envelope("SystemInfo"))["payload"]["data"]
    assert info["response_type"] == "SystemInfoResult" and "server" in info
    anon = client.raw(envelope("CreateSession"))["payload"]["data"]
    assert anon["client_id"].startswith("peer-")


def test_twenty_concurrent_clients_isolated(server) -> None:
    errors: list[str] = []
    barrier = threading.Barrier(20)

    def worker(n: int) -> None:
        kind = zmq.REQ if n % 2 else zmq.DEALER
        client_id = f"conc-{n}-{uuid.uuid4().hex[:6]}"
        try:
            with WireClient(server.endpoint, client_id, kind=kind) as client:
                barrier.wait(10)
                mine = set()
                for i in range(3):
                    sid = client.ok("create_session")["session_id"]
                    mine.add(sid)
                    client.ok("update_session_state", session_id=sid,
                              state_data={"workspace_context": {"owner": client_id, "i": i}})
                for sid in mine:
                    restored = client.ok("restore_session", session_id=sid)
                    if restored["workspace_context"]["owner"] != client_id:
                        errors.append(f"{client_id} saw {restored['workspace_context']}")
                    if restored["client_id"] != client_id:
                        errors.append(f"{client_id} got a reply for {restored['client_id']}")
                listed = client.ok("list_client_sessions")
                if {s["session_id"] for s in listed["sessions"]} != mine:
                    errors.append(f"{client_id} listed {listed}")
        except Exception as exc:  # collected: assert in the main thread
            errors.append(f"{client_id}: {exc!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


def test_reconnecting_client_finds_sessions(server) -> None:
    client_id = cid("roamer")
    with WireClient(server.endpoint, client_id) as first:
        sid = first.ok("create_session")["session_id"]
        first.ok("update_session_state", session_id=sid, state_data={"transcript": ["hi"]})
    with WireClient(server.endpoint, client_id, kind=zmq.DEALER) as second:
        listed = second.ok("list_client_sessions")
        assert [s["session_id"] for s in listed["sessions"]] == [sid]
        assert second.ok("restore_session", session_id=sid)["transcript"] == ["hi"]
