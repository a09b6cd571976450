"""Sessions survive SIGKILL: metadata and nested state come back identical, loaded lazily."""

from __future__ import annotations

from pathlib import Path

from tests.persistence.support import (
    Servers,
    create,
    current_file,
    nested_state,
    restore,
    update,
)

SAME_META = ("session_id", "client_id", "created_at", "last_modified", "timeout",
             "subscription_tier", "client_info")


def test_state_and_metadata_survive_kill9(start_server, tmp_path: Path) -> None:
    servers = Servers(start_server, tmp_path / "sessions")
    servers.start()
    before: dict[tuple[str, str], dict] = {}
    for client_id in ("alice", "bob"):
        with servers.client(client_id) as c:
            for i in range(2):
                sid = create(c, platform="linux", version="1.2", capabilities=["evaluate"])
                update(c, sid, nested_state(i))
                update(c, sid, {"extra": {"client": client_id, "i": i}})
                before[(client_id, sid)] = restore(c, sid)
    servers.kill9()
    servers.start()
    for (client_id, sid), old in before.items():
        with servers.client(client_id) as c:
            new = restore(c, sid)
            for key in (*SAME_META, "workspace_context", "history", "state_data",
                        "object_registry", "inspector_state", "transcript"):
                assert new[key] == old[key], key
            assert new["recovered_from_backup"] is False and "recovery" not in new
            assert new["state_data"]["counter"] in (0, 1)
            listed = c.ok("list_client_sessions")
            assert listed["session_count"] == 2
    # Another client cannot see them after the restart either.
    with servers.client("mallory") as c:
        sid = next(iter(before))[1]
        c.error("restore_session", "AccessDenied", parameters={"session_id": sid})


def test_files_are_read_only_when_their_client_asks(start_server, tmp_path: Path) -> None:
    """Lazy loading, seen from outside: a damaged file of client B is left alone (not yet
    verified, not quarantined) until B is first seen; then it is found and set aside."""
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir)
    servers.start()
    with servers.client("a") as a, servers.client("b") as b:
        sid_a, sid_b = create(a), create(b)
        update(a, sid_a, {"v": 1})
        update(b, sid_b, {"v": 1})
    servers.stop()  # checkpointed: {"v": 1} is a file version of its own
    servers.start()
    with servers.client("b") as b:
        update(b, sid_b, {"v": 2})
    servers.stop()
    damaged = current_file(sdir, "b", sid_b)
    damaged.write_bytes(damaged.read_bytes()[:-5])
    servers.start()
    with servers.client("a") as a:
        assert restore(a, sid_a)["state_data"] == {"v": 1}
        a.ok("get_session_statistics")
    assert damaged.exists() and not (sdir / "b" / "quarantine").exists()
    with servers.client("b") as b:
        sessions = b.ok("list_client_sessions")["sessions"]
        assert [s["session_id"] for s in sessions] == [sid_b]
        assert not damaged.exists() and len(list((sdir / "b" / "quarantine").iterdir())) == 1
        restored = restore(b, sid_b)
        assert restored["recovered_from_backup"] is True
        assert restored["state_data"] == {"v": 1}
        assert restored["recovery"]["lost_generations"] == [3]
