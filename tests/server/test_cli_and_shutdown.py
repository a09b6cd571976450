"""The command line and the process lifecycle: --help, config layering, clear one-line
errors (exit 2) for a taken endpoint or an unwritable sessions dir, graceful SIGTERM/SIGINT.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import zmq

from stui_trio.config import ConfigError, build_config
from tests.conftest import REPO, WireClient, launch, wait_until


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STUI_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stui_trio", *args], cwd=REPO, env=full_env,
        capture_output=True, text=True, timeout=20,
    )


def test_help_explains_settings() -> None:
    out = run_cli("--help")
    assert out.returncode == 0
    for word in ("--endpoint", "--sessions-dir", "--config", "--log-level", "STUI_ENDPOINT",
                 "--max-message-bytes", "--session-timeout", "--rate-limit-per-second",
                 "--shutdown-grace-period", "docs/operations.md"):
        assert word in out.stdout, word


def test_endpoint_taken_is_one_line_error(start_server, tmp_path: Path) -> None:
    first = start_server()
    out = run_cli("--endpoint", first.endpoint, "--sessions-dir", str(tmp_path / "s"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0] and first.endpoint in lines[0]


def test_sessions_dir_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    out = run_cli("--endpoint", "tcp://127.0.0.1:*", "--sessions-dir", str(blocker / "sub"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "not writable" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_bad_setting_is_one_line_error(tmp_path: Path) -> None:
    out = run_cli("--session-timeout", "soon", "--sessions-dir", str(tmp_path))
    assert out.returncode == 2 and "session_timeout" in out.stderr
    out = run_cli("--sessions-dir", str(tmp_path), env={"STUI_MAX_SESSIONS_PER_CLIENT": "-1"})
    assert out.returncode == 2 and "max_sessions_per_client" in out.stderr


def test_config_layers(tmp_path: Path) -> None:
    toml = tmp_path / "stui.toml"
    toml.write_text(
        'endpoint = ["tcp://127.0.0.1:7001"]\nsession_timeout = 10\n'
        "[server]\nmax_sessions_per_client = 2\nrate_limit_burst = 7\n"
        '[tiers]\nfree = ["evaluate"]\npro = ["remote_debugger"]\n'
        '[auth.tokens]\n"tok-1" = "pro"\n'
    )
    config = build_config(
        config_file=toml,
        env={"STUI_SESSION_TIMEOUT": "20", "STUI_SESSIONS_DIR": "/tmp/x",
             "STUI_ENDPOINT": "tcp://127.0.0.1:7002,ipc:///tmp/stui.sock"},
        overrides={"max_sessions_per_client": "3"},
    )
    assert config.endpoints == ("tcp://127.0.0.1:7002", "ipc:///tmp/stui.sock")
    assert config.session_timeout == 20.0 and config.max_sessions_per_client == 3
    assert config.rate_limit_burst == 7 and config.sessions_dir == Path("/tmp/x")
    assert config.auth_tokens == {"tok-1": "pro"} and list(config.tiers) == ["free", "pro"]
    bad = tmp_path / "bad.toml"
    bad.write_text("sesion_timeout = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'sesion_timeout'"):
        build_config(config_file=bad)
    with pytest.raises(ConfigError, match="evaluation_timeout"):
        build_config(overrides={"evaluation_timeout": 500})


def test_config_file_tiers_and_tokens_over_the_wire(start_server, tmp_path: Path) -> None:
    toml = tmp_path / "stui.toml"
    toml.write_text('[auth.tokens]\n"pro-token-123" = "pro"\n"team-token" = "team"\n')
    srv = start_server("--config", str(toml))
    with WireClient(srv.endpoint, "payer") as client:
        granted = client.ok("validate_feature_access", feature="remote_debugger",
                            auth_token="pro-token-123")
        assert granted["access_granted"] is True and granted["subscription_tier"] == "pro"
        sid = client.ok("create_session", auth_token="team-token")["session_id"]
        via_session = client.ok("validate_feature_access", feature="remote_debugger",
                                session_id=sid)
        assert via_session["subscription_tier"] == "team" and via_session["access_granted"]
        assert via_session["expires_at"] is not None


def test_ipc_endpoint(start_server, tmp_path: Path) -> None:
    srv = start_server(endpoint=f"ipc://{tmp_path}/stui.sock")
    assert srv.endpoint.startswith("ipc://")
    with WireClient(srv.endpoint, "ipc-user") as client:
        assert client.ok("ping")["status"] == "ready"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_finishes_in_flight_and_exits_zero(start_server, signum: int) -> None:
    srv = start_server(
        "--shutdown-grace-period", "3", env={"STUI_ENABLE_TEST_COMMANDS": "1"}
    )
    with WireClient(srv.endpoint, "inflight", kind=zmq.DEALER) as busy, \
            WireClient(srv.endpoint, "late", kind=zmq.DEALER) as late:
        busy.send_raw(orjson.dumps({"id": "long", "command": "test_sleep",
                                    "client_id": "inflight", "seconds": 0.8}))
        time.sleep(0.2)
        started = time.monotonic()
        srv.proc.send_signal(signum)
        time.sleep(0.1)
        late.send_raw(orjson.dumps({"id": "new", "command": "ping", "client_id": "late"}))
        reply = late.recv()
        assert reply["error_type"] == "ShuttingDown" and reply["id"] == "new"
        finished = busy.recv()
        assert finished["id"] == "long" and finished["status"] == "success"
        assert srv.proc.wait(10) == 0
        assert time.monotonic() - started < 3


def test_grace_period_cuts_long_requests(start_server) -> None:
    srv = start_server(
        "--shutdown-grace-period", "0.5", env={"STUI_ENABLE_TEST_COMMANDS": "1"}
    )
    with WireClient(srv.endpoint, "stuck", kind=zmq.DEALER) as busy:
        busy.send_raw(orjson.dumps({"id": "forever", "command": "test_sleep",
                                    "client_id": "stuck", "seconds": 30}))
        time.sleep(0.2)
        started = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        reply = busy.recv()
        assert reply["id"] == "forever" and reply["error_type"] == "ShuttingDown"
        assert srv.proc.wait(10) == 0
        assert time.monotonic() - started < 2.5


def test_launch_helper_strips_stui_env(tmp_path: Path) -> None:
    os.environ["STUI_SESSION_TIMEOUT"] = "nonsense"
    try:
        proc = launch(["--endpoint", "tcp://127.0.0.1:*"], sessions_dir=tmp_path / "s")
        line = proc.stdout.readline()
        assert "listening on" in line
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        proc.stdout.close()
        proc.stderr.close()
    finally:
        del os.environ["STUI_SESSION_TIMEOUT"]


def test_queued_requests_cut_by_grace_get_shutting_down(start_server) -> None:
    srv = start_server(
        "--shutdown-grace-period", "0.3", env={"STUI_ENABLE_TEST_COMMANDS": "1"}
    )
    with WireClient(srv.endpoint, "queued", kind=zmq.DEALER) as dealer:
        for i in range(3):
            dealer.send_raw(orjson.dumps({"id": f"q{i}", "command": "test_sleep",
                                          "client_id": "queued", "seconds": 5}))
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        replies = sorted((dealer.recv() for _ in range(3)), key=lambda r: r["id"])
        assert [r["error_type"] for r in replies] == ["ShuttingDown"] * 3
        assert srv.proc.wait(10) == 0


def test_debug_logs_one_line_per_request(start_server) -> None:
    srv = start_server("--log-level", "DEBUG")
    with WireClient(srv.endpoint, "logged") as client:
        client.call("ping")
        client.call("restore_session", session_id="nope")
    assert wait_until(lambda: "error_type=SessionNotFound" in srv.stderr)
    lines = [ln for ln in srv.stderr.splitlines() if "stui_trio.requests" in ln]
    assert len(lines) == 2 and "command=ping status=success" in lines[0]
    assert "client=logged command=restore_session status=error" in lines[1]
