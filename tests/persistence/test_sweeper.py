"""The sweeper removes files: of sessions it expires, of stored sessions nobody loaded since
the restart, and quarantined files older than ``session_file_max_age``."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import wait_until
from tests.persistence.support import Servers, create, current_file, restore, update

FAST = ("--session-timeout", "1", "--cleanup-interval", "0.2", "--session-file-max-age", "1",
        "--checkpoint-interval-ms", "100")


def versions(sdir: Path, client_id: str, sid: str) -> list[Path]:
    path = current_file(sdir, client_id, sid)
    return list(path.parent.glob(path.name + "*")) if path.parent.exists() else []


def test_expired_sessions_lose_their_files(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir, *FAST)
    servers.start()
    with servers.client("exp") as c:
        sid = create(c)
        update(c, sid, {"v": 1})
        assert wait_until(lambda: versions(sdir, "exp", sid), timeout=5)  # the checkpoint
        assert wait_until(lambda: not versions(sdir, "exp", sid), timeout=5)
        c.error("restore_session", "SessionExpired", parameters={"session_id": sid})


def test_stored_sessions_expire_without_being_asked_for(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir, *FAST)
    servers.start()
    with servers.client("gone") as c:
        sid = create(c)
    servers.kill9()
    servers.start()  # nobody asks for client "gone": only the disk sweep can find it
    assert versions(sdir, "gone", sid)
    assert wait_until(lambda: not (sdir / "gone").exists(), timeout=5)


def test_quarantined_files_age_out(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    args = ("--session-timeout", "2", "--cleanup-interval", "0.2", "--session-file-max-age", "2")
    servers = Servers(start_server, sdir, *args)
    servers.start()
    with servers.client("q") as c:
        sid = create(c)
        update(c, sid, {"v": 1})
    servers.stop()
    path = current_file(sdir, "q", sid)
    path.write_bytes(b"damaged")
    servers.start()
    quarantine = sdir / "q" / "quarantine"
    with servers.client("q") as c:
        assert restore(c, sid)["recovered_from_backup"] is True
        assert len(list(quarantine.iterdir())) == 1
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and any(quarantine.iterdir()):
            update(c, sid, {"v": 2})  # keep the session alive and saved meanwhile
            time.sleep(0.3)
        assert not any(quarantine.iterdir())
        assert restore(c, sid)["state_data"] == {"v": 2}
