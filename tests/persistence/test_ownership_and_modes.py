"""One owner per sessions dir; relaxed durability; the in-memory switch; the disk quota."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO
from tests.persistence.support import Servers, create, restore, update


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stui_trio", *args], cwd=REPO, capture_output=True, text=True,
        timeout=20, env={"PATH": "/usr/bin:/bin"},
    )


def test_second_server_on_the_same_dir_refuses(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir)
    first = servers.start()
    out = run_cli("--endpoint", "tcp://127.0.0.1:*", "--sessions-dir", str(sdir))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert str(sdir) in lines[0] and f"process {first.proc.pid}" in lines[0], lines[0]
    assert "locked" in lines[0]
    # The lock dies with its holder, kill -9 included: the next server starts at once.
    servers.kill9()
    servers.start()


def test_relaxed_durability_acks_early_and_flushes(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir, "--durability", "relaxed",
                      "--relaxed-flush-interval-ms", "50")
    servers.start()
    with servers.client("relaxed") as c:
        sid = create(c)
        for i in range(50):
            update(c, sid, {"i": i})
    time.sleep(0.5)  # well past the flush interval: everything is on disk now
    servers.kill9()
    servers.start()
    with servers.client("relaxed") as c:
        assert restore(c, sid)["state_data"] == {"i": 49}
        update(c, sid, {"i": 50})
    # A graceful stop writes what is still queued, however short the time since the ack.
    assert servers.current is not None and servers.current.terminate() == 0
    servers.start()
    with servers.client("relaxed") as c:
        assert restore(c, sid)["state_data"] == {"i": 50}


def test_memory_store_switch_keeps_nothing(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir, "--session-store", "memory")
    servers.start()
    with servers.client("mem") as c:
        sid = create(c)
    assert not (sdir / "mem").exists()
    servers.kill9()
    servers.start()
    with servers.client("mem") as c:
        c.error("restore_session", "SessionNotFound", parameters={"session_id": sid})


def test_disk_quota_per_client(start_server, tmp_path: Path) -> None:
    servers = Servers(start_server, tmp_path / "sessions", "--client-disk-quota-bytes", "20000")
    servers.start()
    with servers.client("quota") as c:
        sid = create(c)
        update(c, sid, {"small": "x" * 100})
        reply = c.error("update_session_state", "StorageError",
                        parameters={"session_id": sid, "state_data": {"big": "y" * 30000}})
        assert reply["details"]["reason"] == "quota_exceeded", reply
        assert "client_disk_quota_bytes" in reply["error"]
        # Not acknowledged, so not applied.
        assert restore(c, sid)["state_data"] == {"small": "x" * 100}
