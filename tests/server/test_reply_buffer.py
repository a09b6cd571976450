"""Replies are not lost: retries with the same id are answered from the session's reply
buffer (also after kill -9 and a restart), and get_missed_replies reads it. Real server
subprocesses with the durable default store, real ZeroMQ on 127.0.0.1."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.conftest import TEST_ENV, ServerProcess, WireClient

INCREMENT = "x := (x ifNil: [0]) + 1"


def cid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Peer:
    """One client (a stable client_id) that may reconnect: a new REQ socket each time."""

    def __init__(self, server: ServerProcess, client_id: str) -> None:
        self.client_id = client_id
        self.endpoint = server.endpoint
        self.sock = WireClient(self.endpoint, client_id)
        self.session_id = ""

    def reconnect(self, server: ServerProcess | None = None) -> None:
        self.sock.close()
        if server is not None:
            self.endpoint = server.endpoint
        self.sock = WireClient(self.endpoint, self.client_id)

    def send(self, request_id: str | None, command: str, **params: Any) -> dict[str, Any]:
        msg: dict[str, Any] = {"command": command, "client_id": self.client_id,
                               "parameters": params}
        if request_id is not None:
            msg["id"] = request_id
        if self.session_id and "session_id" not in params:
            params["session_id"] = self.session_id
        return self.sock.raw(orjson.dumps(msg))

    def ok(self, request_id: str | None, command: str, **params: Any) -> dict[str, Any]:
        reply = self.send(request_id, command, **params)
        assert reply["status"] == "success", reply
        return reply["result"]

    def create(self) -> str:
        self.session_id = self.ok(None, "create_session")["session_id"]
        return self.session_id

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def durable(start_server: Callable[..., ServerProcess]) -> Callable[..., ServerProcess]:
    """Start a server with the default (durable) store; pass sessions_dir= to restart one."""

    def start(*args: str, sessions_dir: Any = None) -> ServerProcess:
        return start_server(*args, env=TEST_ENV, sessions_dir=sessions_dir)

    return start


@pytest.fixture
def peers() -> Any:
    made: list[Peer] = []

    def make(server: ServerProcess, prefix: str = "c") -> Peer:
        peer = Peer(server, cid(prefix))
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


def test_retried_evaluate_gets_the_stored_reply_and_runs_once(durable, peers) -> None:
    server = durable()
    alice = peers(server, "alice")
    alice.create()
    first = alice.send("inc-1", "evaluate", code=INCREMENT)
    assert first["status"] == "success" and first["result"]["result"] == "1"
    assert "replayed" not in first["result"]
    alice.reconnect()  # a REQ client that timed out and came back
    again = alice.send("inc-1", "evaluate", code=INCREMENT)
    assert again["id"] == "inc-1" and again["status"] == "success"
    assert again["result"] == {**first["result"], "replayed": True}
    assert alice.ok("look-1", "evaluate", code="x")["result"] == "1"
    # A new id is a new request: it runs.
    assert alice.ok("inc-2", "evaluate", code=INCREMENT)["result"] == "2"


def test_retry_after_kill9_and_restart_is_answered_from_disk(durable, peers) -> None:
    server = durable()
    alice = peers(server, "alice")
    alice.create()
    first = alice.ok("inc-1", "evaluate", code=INCREMENT)
    assert first["result"] == "1" and first["bindings_changed"]
    server.proc.kill()  # kill -9: no graceful flush
    server.proc.wait(5)
    server = durable(sessions_dir=server.sessions_dir)
    alice.reconnect(server)
    again = alice.send("inc-1", "evaluate", code=INCREMENT)
    assert again["status"] == "success", again
    assert again["result"] == {**first, "replayed": True}
    assert alice.ok("look-1", "evaluate", code="x")["result"] == "1"


def test_update_session_state_retried_after_kill9_is_not_applied_twice(
    durable, peers
) -> None:
    server = durable()
    alice = peers(server, "alice")
    alice.create()
    first = alice.ok("upd-1", "update_session_state", state_data={"k": 1})
    second = alice.ok("upd-2", "update_session_state", state_data={"k": 2})
    assert second["last_modified"] >= first["last_modified"]
    server.proc.kill()
    server.proc.wait(5)
    server = durable(sessions_dir=server.sessions_dir)
    alice.reconnect(server)
    again = alice.send("upd-1", "update_session_state", state_data={"k": 1})
    assert again["status"] == "success" and again["result"] == {**first, "replayed": True}
    restored = alice.ok(None, "restore_session")
    assert restored["state_data"] == {"k": 2}  # the retry did not set k back to 1
    assert restored["last_modified"] == second["last_modified"]


def test_same_id_with_other_parameters_or_command_runs_again(durable, peers) -> None:
    server = durable()
    alice = peers(server, "alice")
    alice.create()
    assert alice.ok("r", "evaluate", code="3 + 4")["result"] == "7"
    assert alice.ok("r", "evaluate", code="3 + 5")["result"] == "8"  # a reused id
    assert alice.ok("r", "update_session_state", state_data={"a": 1})["update_successful"]
    # The newest reply under that id is the one kept.
    again = alice.ok("r", "update_session_state", state_data={"a": 1})
    assert again["replayed"] is True
    entries = alice.ok(None, "get_missed_replies")["entries"]
    assert [(e["id"], e["command"]) for e in entries] == [("r", "update_session_state")]


def test_evaluation_errors_are_kept_and_replayed_in_details(durable, peers) -> None:
    server = durable()
    alice = peers(server, "alice")
    alice.create()
    first = alice.send("boom", "evaluate", code="1/0")
    assert first["status"] == "error" and first["error_type"] == "EvaluationError"
    again = alice.send("boom", "evaluate", code="1/0")
    assert again["error_type"] == "EvaluationError" and again["error"] == first["error"]
    assert again["details"] == {**first["details"], "replayed": True}
    # Errors that mean "nothing ran" are not kept: a retry runs (and may now succeed).
    bad = alice.send("typo", "inspect", object_ref="obj-999")
    assert bad["error_type"] == "ObjectNotFound"
    ids = [e["id"] for e in alice.ok(None, "get_missed_replies")["entries"]]
    assert ids == ["boom"]


def test_get_missed_replies_since_and_bounded_buffer(durable, peers) -> None:
    server = durable("--reply-buffer-size", "3")
    alice = peers(server, "alice")
    alice.create()
    for n in range(1, 6):
        alice.ok(f"u{n}", "update_session_state", state_data={"n": n})
    page = alice.ok(None, "get_missed_replies")
    assert [e["seq"] for e in page["entries"]] == [3, 4, 5]
    assert [e["id"] for e in page["entries"]] == ["u3", "u4", "u5"]
    assert page["missed"] == 2 and page["next"] == 5 and page["capacity"] == 3
    entry = page["entries"][0]
    assert entry["command"] == "update_session_state"
    assert entry["reply"]["status"] == "success"
    assert entry["reply"]["result"]["update_successful"] is True
    later = alice.ok(None, "get_missed_replies", since=4)
    assert [e["id"] for e in later["entries"]] == ["u5"] and later["missed"] == 0
    assert alice.ok(None, "get_missed_replies", since=5)["entries"] == []
    limited = alice.ok(None, "get_missed_replies", since=0, limit=1)
    assert [e["seq"] for e in limited["entries"]] == [3] and limited["next"] == 3
    # u1 fell out of the buffer: its retry runs again (state n goes back to 1).
    assert "replayed" not in alice.ok("u1", "update_session_state", state_data={"n": 1})
    # Read-only commands and requests without an id are not kept.
    alice.ok("peek", "get_session_info")
    alice.ok(None, "evaluate", code="1")
    assert [e["id"] for e in alice.ok(None, "get_missed_replies", since=5)["entries"]] == [
        "u1"
    ]


def test_another_clients_session_is_access_denied(durable, peers) -> None:
    server = durable()
    alice, bob = peers(server, "alice"), peers(server, "bob")
    alice.create()
    alice.ok("secret", "evaluate", code="'alice only'")
    denied = bob.send(None, "get_missed_replies", session_id=alice.session_id)
    assert denied["error_type"] == "AccessDenied"
    # Bob retrying Alice's id in Alice's session gets no stored reply either.
    retry = bob.send("secret", "evaluate", code="'alice only'", session_id=alice.session_id)
    assert retry["status"] == "error" and retry["error_type"] == "AccessDenied"


def test_ids_of_different_sessions_do_not_collide(durable, peers) -> None:
    server = durable()
    alice = peers(server, "alice")
    one = alice.create()
    two = alice.ok(None, "create_session")["session_id"]
    a = alice.ok("same", "evaluate", code=INCREMENT, session_id=one)
    b = alice.ok("same", "evaluate", code=INCREMENT, session_id=two)
    assert a["result"] == b["result"] == "1" and "replayed" not in b
    alice.ok("bump", "evaluate", code=INCREMENT, session_id=two)
    assert alice.ok("same", "evaluate", code=INCREMENT, session_id=one)["replayed"] is True
    again = alice.ok("same", "evaluate", code=INCREMENT, session_id=two)
    assert again["replayed"] is True and again["result"] == "1"
    assert alice.ok(None, "evaluate", code="x", session_id=two)["result"] == "2"


def test_envelope_retry_is_replayed_in_its_dialect(durable, peers) -> None:
    server = durable()
    alice = peers(server, "alice")
    alice.create()
    envelope = orjson.dumps({
        "id": "env-1", "version": "1.0.0", "timestamp": "2026-11-27T00:00:00.000Z",
        "client_id": alice.client_id,
        "payload": {"type": "Request", "data": {
            "request_type": "Evaluate",
            "params": {"code": INCREMENT, "session_id": alice.session_id}}},
    })
    first = alice.sock.raw(envelope)["payload"]["data"]
    assert first["response_type"] == "EvaluateResult" and first["result"] == "1"
    again = alice.sock.raw(envelope)["payload"]["data"]
    assert again == {**first, "replayed": True}


def test_reply_buffer_size_zero_turns_it_off(durable, peers) -> None:
    server = durable("--reply-buffer-size", "0")
    alice = peers(server, "alice")
    alice.create()
    assert alice.ok("inc", "evaluate", code=INCREMENT)["result"] == "1"
    assert alice.ok("inc", "evaluate", code=INCREMENT)["result"] == "2"
    page = alice.ok(None, "get_missed_replies")
    assert page["entries"] == [] and page["capacity"] == 0


def test_replies_kept_in_memory_reach_disk_with_the_sweep(durable, peers) -> None:
    # define_class saves no session itself: its kept reply is written by the next flush of
    # unsaved sessions, which every sweep runs (every cleanup_interval, here 0.2 s).
    server = durable("--cleanup-interval", "0.2")
    alice = peers(server, "alice")
    alice.create()
    definition = "Object subclass: #RbCounter instanceVariableNames: 'n' classVariableNames: '' " \
        "package: 'Demo'"
    first = alice.ok("def-1", "define_class", definition=definition)
    assert first["created"] is True
    deadline = time.monotonic() + 5
    while b"def-1" not in b"".join(p.read_bytes() for p in server.sessions_dir.rglob("*")
                                    if p.is_file()) and time.monotonic() < deadline:
        time.sleep(0.05)
    server.proc.kill()
    server.proc.wait(5)
    server = durable(sessions_dir=server.sessions_dir)
    alice.reconnect(server)
    again = alice.ok("def-1", "define_class", definition=definition)
    assert again == {**first, "replayed": True}  # not "changed": it did not run again


def test_a_graceful_stop_saves_replies_kept_only_in_memory(durable, peers) -> None:
    # No sweep runs before the stop (cleanup_interval is long): the stop itself must save.
    server = durable("--cleanup-interval", "3600")
    alice = peers(server, "alice")
    alice.create()
    definition = "Object subclass: #RbStopped instanceVariableNames: '' classVariableNames: '' " \
        "package: 'Demo'"
    first = alice.ok("def-2", "define_class", definition=definition)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(20) == 0
    server = durable(sessions_dir=server.sessions_dir)
    alice.reconnect(server)
    assert alice.ok("def-2", "define_class", definition=definition) == {**first, "replayed": True}
