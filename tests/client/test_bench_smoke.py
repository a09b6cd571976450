"""The benchmark harness stays runnable: a tiny real run, and its loopback guard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.baseline_echo import echo_reply
from bench.harness.servers import NotLoopback, check_loopback
from stui_trio.client import result_of

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_writes_results(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--clients", "1,2", "--iterations", "15",
         "--results-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ping p50 / echo p50 at 1 client" in run.stdout
    [path] = tmp_path.glob("*.json")
    data = json.loads(path.read_text())
    steps = {(s["target"], s["clients"]): s for s in data["steps"]}
    assert set(steps) == {("echo", 1), ("stui_trio", 1), ("echo", 2), ("stui_trio", 2)}
    for step in steps.values():
        assert step["workers_failed"] == 0 and step["errors"] == {}
        assert step["requests"] == 4 * 15 * step["clients"]
        ping = step["commands"]["ping"]
        assert ping["count"] == 15 * step["clients"]
        assert 0 < ping["p50_us"] <= ping["p99_us"] <= ping["max_us"]
    assert {r["command"] for r in data["ratios"]} == {
        "create_session", "ping", "update_session_state", "close_session"}
    assert all(r["p50_ratio"] > 0 for r in data["ratios"])
    assert [t["name"] for t in data["targets"]] == [
        "ping p50 / echo p50 at 1 client", "create_session p99 at 2 clients"]


def test_refuses_an_endpoint_off_loopback(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--endpoint", "tcp://192.0.2.7:5555",
         "--results-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=30, cwd=ROOT,
    )
    assert run.returncode == 2
    assert "not on loopback" in run.stdout
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("endpoint", "ok"),
    [("tcp://127.0.0.1:5555", True), ("tcp://127.3.2.1:1", True), ("tcp://[::1]:5555", True),
     ("tcp://localhost:5555", True), ("ipc:///tmp/x.sock", True),
     ("tcp://10.0.0.1:5555", False), ("tcp://example.com:5555", False),
     ("tcp://*:5555", False), ("udp://127.0.0.1:5555", False)],
)
def test_loopback_check(endpoint: str, ok: bool) -> None:
    if ok:
        assert check_loopback(endpoint) == endpoint
    else:
        with pytest.raises(NotLoopback):
            check_loopback(endpoint)


def test_echo_reply_is_a_success_reply_with_the_request_id() -> None:
    body = b'{"id":"r-1","command":"ping","client_id":"c","parameters":{}}'
    reply = json.loads(echo_reply(body))
    assert reply["id"] == "r-1"
    assert result_of(reply) == {}
    assert len(echo_reply(body)) == len(body) + 31
