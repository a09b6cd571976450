"""The supervisor over real sockets: crashes restart one client task only, inline commands do
not wait behind long requests, limits answer RateLimited, idle tasks end while sessions live.
"""

from __future__ import annotations

import time
import uuid

import orjson
import zmq

from tests.conftest import WireClient, wait_until


def cid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_crash_is_internal_error_and_task_restarts(wire, server) -> None:
    victim = wire(cid("victim"))
    bystander = wire(cid("bystander"))
    sid = victim.ok("create_session")["session_id"]
    other_sid = bystander.ok("create_session")["session_id"]
    assert victim.ok("test_client_state")["calls"] == 1
    assert victim.ok("test_client_state")["calls"] == 2
    reply = victim.error("test_crash", "InternalError")
    assert "bug" in reply["error"] and reply["id"] == "t-4"
    # The restarted task has a fresh context; the client's sessions are untouched.
    assert victim.ok("test_client_state")["calls"] == 1
    assert victim.ok("validate_session", session_id=sid)["valid"] is True
    assert bystander.ok("restore_session", session_id=other_sid)["session_id"] == other_sid
    assert wait_until(lambda: "DeliberateCrash" in server.stderr)
    assert "Traceback" in server.stderr
    stats = victim.ok("get_session_statistics")
    assert stats["requests"]["client_tasks_restarted"] >= 1


def test_crash_does_not_disturb_queued_requests(wire) -> None:
    dealer = wire(cid("dq"), kind=zmq.DEALER)
    for i, command in enumerate(["test_crash", "test_client_state", "ping", "test_crash",
                                 "test_client_state"]):
        dealer.send_raw(orjson.dumps({"id": f"q{i}", "command": command,
                                      "client_id": dealer.client_id}))
    replies = {r["id"]: r for r in (dealer.recv() for _ in range(5))}
    assert replies["q0"]["error_type"] == "InternalError"
    assert replies["q1"]["result"]["calls"] == 1
    assert replies["q3"]["error_type"] == "InternalError"
    assert replies["q4"]["result"]["calls"] == 1


def test_ping_and_statistics_not_stuck_behind_long_request(wire) -> None:
    slow = wire(cid("slow"), kind=zmq.DEALER)
    slow.send_raw(orjson.dumps({"id": "sleep", "command": "test_sleep",
                                "client_id": slow.client_id, "parameters": {"seconds": 2.0}}))
    time.sleep(0.1)
    started = time.monotonic()
    for i, command in enumerate(["ping", "get_session_statistics", "validate_session"]):
        slow.send_raw(orjson.dumps({"id": f"fast{i}", "command": command,
                                    "client_id": slow.client_id, "session_id": "x"}))
        reply = slow.recv()
        assert reply["id"] == f"fast{i}" and reply["status"] == "success", reply
    assert time.monotonic() - started < 1.0
    assert slow.recv()["result"] == {"slept": 2.0}


def test_requests_of_one_client_run_in_order(wire) -> None:
    dealer = wire(cid("order"), kind=zmq.DEALER)
    dealer.send_raw(orjson.dumps({"id": "a", "command": "test_sleep",
                                  "client_id": dealer.client_id, "seconds": 0.3}))
    dealer.send_raw(orjson.dumps({"id": "b", "command": "list_client_sessions",
                                  "client_id": dealer.client_id}))
    assert [dealer.recv()["id"], dealer.recv()["id"]] == ["a", "b"]


def test_other_clients_not_blocked_by_one_slow_client(wire) -> None:
    slow = wire(cid("slow2"), kind=zmq.DEALER)
    slow.send_raw(orjson.dumps({"id": "s", "command": "test_sleep",
                                "client_id": slow.client_id, "seconds": 2.0}))
    time.sleep(0.05)
    fast = wire(cid("fast"))
    started = time.monotonic()
    fast.ok("create_session")
    assert time.monotonic() - started < 1.0
    assert slow.recv()["id"] == "s"


def test_rate_limit(start_server) -> None:
    srv = start_server("--rate-limit-per-second", "2", "--rate-limit-burst", "3")
    with WireClient(srv.endpoint, "greedy") as greedy, WireClient(srv.endpoint, "calm") as calm:
        kinds = [greedy.call("ping")["status"] for _ in range(3)]
        assert kinds == ["success"] * 3
        reply = greedy.call("ping")
        assert reply["error_type"] == "RateLimited" and "slow down" in reply["error"]
        assert reply["details"] == {"rate_per_second": 2.0, "burst": 3}
        assert calm.ok("ping")["status"] == "ready"  # a bucket per client
        time.sleep(0.6)
        assert greedy.ok("ping")["status"] == "ready"  # tokens refill


def test_max_concurrent_clients_and_idle_end(start_server) -> None:
    srv = start_server(
        "--max-concurrent-clients", "2", "--client-idle-timeout", "0.3",
        "--cleanup-interval", "0.2",
    )
    with (WireClient(srv.endpoint, "c1") as c1, WireClient(srv.endpoint, "c2") as c2,
          WireClient(srv.endpoint, "c3") as c3):
        sid = c1.ok("create_session")["session_id"]
        c2.ok("list_client_sessions")
        reply = c3.error("list_client_sessions", "RateLimited")
        assert "max_concurrent_clients" in reply["error"]
        # Idle tasks end after the idle timeout; the sessions live on.
        assert wait_until(
            lambda: c3.ok("get_session_statistics")["connected_clients"] == 0, timeout=5
        )
        assert c3.ok("list_client_sessions")["session_count"] == 0
        assert c1.ok("restore_session", session_id=sid)["session_id"] == sid
        stats = c1.ok("get_session_statistics")
        assert stats["requests"]["client_tasks_idled_out"] >= 2


def test_sweeper_expires_sessions_and_counts(start_server) -> None:
    srv = start_server("--session-timeout", "0.4", "--cleanup-interval", "0.2")
    with WireClient(srv.endpoint, "short") as client:
        sid = client.ok("create_session")["session_id"]
        assert wait_until(
            lambda: client.ok("get_session_statistics")["sessions_expired"] == 1, timeout=5
        )
        stats = client.ok("get_session_statistics")
        assert stats["total_sessions"] == 0 and stats["sweeps"] >= 1
        client.error("restore_session", "SessionExpired", session_id=sid)
        assert client.ok("validate_session", session_id=sid)["reason"] == "SessionExpired"
        client.error("restore_session", "SessionNotFound", session_id="never-was")


def test_queue_full_is_rate_limited(start_server) -> None:
    srv = start_server("--client-queue-size", "2", env={"STUI_ENABLE_TEST_COMMANDS": "1"})
    with WireClient(srv.endpoint, "flood", kind=zmq.DEALER) as dealer:
        for i in range(5):
            dealer.send_raw(orjson.dumps({"id": f"f{i}", "command": "test_sleep",
                                          "client_id": "flood", "seconds": 0.2}))
        replies = [dealer.recv() for _ in range(5)]
        limited = [r for r in replies if r.get("error_type") == "RateLimited"]
        done = [r for r in replies if r["status"] == "success"]
        assert len(limited) >= 1 and len(done) >= 2 and len(limited) + len(done) == 5


def test_task_given_up_after_too_many_crashes(start_server) -> None:
    srv = start_server(
        "--max-client-restarts", "1", env={"STUI_ENABLE_TEST_COMMANDS": "1"}
    )
    with WireClient(srv.endpoint, "fragile", kind=zmq.DEALER) as dealer:
        for i, command in enumerate(["test_crash", "test_crash", "test_client_state"]):
            dealer.send_raw(orjson.dumps({"id": f"g{i}", "command": command,
                                          "client_id": "fragile"}))
        replies = {r["id"]: r for r in (dealer.recv() for _ in range(3))}
        # Second crash exceeds the limit: the queued request is failed, not run.
        assert [replies[f"g{i}"]["error_type"] for i in range(3)] == ["InternalError"] * 3
        assert wait_until(lambda: "giving up" in srv.stderr)
        # The next request starts a fresh task.
        dealer.send_raw(orjson.dumps({"id": "after", "command": "test_client_state",
                                      "client_id": "fragile"}))
        assert dealer.recv()["result"]["calls"] == 1


def test_inline_command_sees_live_client_context(wire) -> None:
    dealer = wire(cid("probe"), kind=zmq.DEALER)
    dealer.send_raw(orjson.dumps({"id": "p0", "command": "test_inline_probe",
                                  "client_id": dealer.client_id}))
    assert dealer.recv()["result"] == {"has_client_task": False}
    dealer.send_raw(orjson.dumps({"id": "p1", "command": "test_client_state",
                                  "client_id": dealer.client_id}))
    assert dealer.recv()["result"]["calls"] == 1
    dealer.send_raw(orjson.dumps({"id": "p2", "command": "test_sleep",
                                  "client_id": dealer.client_id, "seconds": 0.5}))
    dealer.send_raw(orjson.dumps({"id": "p3", "command": "test_inline_probe",
                                  "client_id": dealer.client_id}))
    first = dealer.recv()
    assert first["id"] == "p3" and first["result"] == {"has_client_task": True, "calls": 1}
    assert dealer.recv()["id"] == "p2"
