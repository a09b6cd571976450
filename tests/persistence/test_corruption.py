"""Damaged session files, through the real server: it starts, restores the newest good
version, says ``recovered_from_backup`` with what was lost, and never serves damaged data.

Every session is saved three times (generations 1-3: created, state A, state B), with a
graceful restart before B (saves between two checkpoints share one file write), so the
current file holds B and backup ``.1`` holds A. Each client's current file is damaged in a
different way while the server is down; one restart serves them all.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.persistence.support import Servers, create, current_file, restore, update


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def flip_bytes(data: bytes) -> bytes:
    out = bytearray(data)
    for i in (len(out) - 3, len(out) - 40, len(out) // 2 + 60):
        out[i] ^= 0x55
    return bytes(out)


def empty(_data: bytes) -> bytes:
    return b""


def garbage(data: bytes) -> bytes:
    return bytes(range(256)) * 3


def bad_checksum(data: bytes) -> bytes:
    head, _, rest = data.partition(b"\n")
    digest = re.search(rb"sha256=([0-9a-f]+)", head).group(1)
    wrong = digest[:-1] + (b"0" if digest[-1:] != b"0" else b"1")
    return head.replace(digest, wrong) + b"\n" + rest


def appended_garbage(data: bytes) -> bytes:
    return data + b"}}junk"


DAMAGE = {f.__name__: f for f in (truncate, flip_bytes, empty, garbage, bad_checksum,
                                   appended_garbage)}


def state(letter: str, client_id: str) -> dict:
    return {"which": letter, "owner": client_id, "payload": {"list": [letter] * 20}}


def test_damaged_current_files_fall_back_to_backups(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir)
    servers.start()
    sids: dict[str, str] = {}
    names = [*DAMAGE, "missing_current", "all_versions_bad", "healthy"]
    for name in names:
        with servers.client(name) as c:
            sid = sids[name] = create(c)
            update(c, sid, state("A", name))
    # A graceful stop checkpoints: A is written as a file (saves between two checkpoints
    # share one file write, so the restart is what makes A a version of its own on disk).
    servers.stop()
    servers.start()
    for name in names:
        with servers.client(name) as c:
            update(c, sids[name], state("B", name))
    servers.stop()  # files written, journal empty: only the backups can help now
    for name, damage in DAMAGE.items():
        path = current_file(sdir, name, sids[name])
        path.write_bytes(damage(path.read_bytes()))
    current_file(sdir, "missing_current", sids["missing_current"]).unlink()
    bad = current_file(sdir, "all_versions_bad", sids["all_versions_bad"])
    for version in bad.parent.glob(bad.name + "*"):
        version.write_bytes(b"\x00" * 64)

    servers.start()
    for name in [*DAMAGE, "missing_current"]:
        with servers.client(name) as c:
            restored = restore(c, sids[name])
            assert restored["recovered_from_backup"] is True, name
            assert restored["state_data"] == state("A", name), name
            recovery = restored["recovery"]
            assert recovery["state_lost"] is False and recovery["generation"] == 2, name
            assert recovery["source"].endswith(".ston.1"), name
            assert "restored from backup" in recovery["message"], name
            if name in ("flip_bytes", "bad_checksum", "appended_garbage"):
                # The header still named generation 3: the client hears exactly what it lost.
                assert recovery["lost_generations"] == [3], (name, recovery)
            if name != "missing_current":
                assert recovery["problems"], name
                assert len(list((sdir / name / "quarantine").iterdir())) == 1, name
            # The session is usable again, and the next save is a clean current file.
            update(c, sids[name], {"after": True})
    with servers.client("all_versions_bad") as c:
        restored = restore(c, sids["all_versions_bad"])
        assert restored["recovered_from_backup"] is True
        assert restored["recovery"]["state_lost"] is True
        assert restored["state_data"] == {} and restored["workspace_context"] == {}
    with servers.client("healthy") as c:
        restored = restore(c, sids["healthy"])
        assert restored["recovered_from_backup"] is False and "recovery" not in restored
        assert restored["state_data"] == state("B", "healthy")

    # After a further restart, the repaired sessions load cleanly from their new current file.
    servers.kill9()
    servers.start()
    for name in [*DAMAGE, "missing_current"]:
        with servers.client(name) as c:
            restored = restore(c, sids[name])
            assert restored["recovered_from_backup"] is False, name
            assert restored["state_data"] == {**state("A", name), "after": True}, name
