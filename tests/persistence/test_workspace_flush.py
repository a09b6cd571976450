"""What an evaluation changes without binding a variable is saved too, just not before the reply.

An `evaluate` that binds a workspace variable is acknowledged only once its session is on disk
(test_workspace_persistence.py). One that only changes state inside bound objects, the history
or the Transcript is acknowledged at once and saved by the background flusher every
`workspace_flush_interval_ms`, and by a graceful stop. These tests pin both paths down with
real server processes.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from tests.conftest import WireClient
from tests.persistence.support import Servers, create, restore


def evaluate(client: WireClient, sid: str, code: str) -> dict[str, Any]:
    return client.ok("evaluate", parameters={"session_id": sid, "code": code})


def test_unbound_changes_are_flushed_within_the_interval(start_server, tmp_path: Path) -> None:
    servers = Servers(start_server, tmp_path / "sessions", "--workspace-flush-interval-ms", "100")
    servers.start()
    with servers.client("carol") as c:
        sid = create(c)
        assert evaluate(c, sid, "items := OrderedCollection new")["bindings_changed"] == ["items"]
        reply = evaluate(c, sid, "items add: 3; add: 4. items size")
        assert reply["bindings_changed"] == [] and reply["result"] == "2"
        time.sleep(1.0)  # ten flush intervals
    servers.kill9()

    servers.start()
    with servers.client("carol") as c:
        restore(c, sid)
        assert evaluate(c, sid, "items asArray")["result"] == "#(3 4)"
        history = c.ok("get_history", parameters={"session_id": sid})["entries"]
        assert "items add: 3; add: 4. items size" in [e["code"] for e in history]


def test_graceful_stop_saves_unflushed_changes(start_server, tmp_path: Path) -> None:
    servers = Servers(start_server, tmp_path / "sessions", "--workspace-flush-interval-ms",
                      "600000")
    server = servers.start()
    with servers.client("dave") as c:
        sid = create(c)
        evaluate(c, sid, "items := OrderedCollection new")
        evaluate(c, sid, "items add: #kept")
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(20) == 0

    servers.start()
    with servers.client("dave") as c:
        restore(c, sid)
        assert evaluate(c, sid, "items asArray")["result"] == "#(#kept)"


def test_only_the_most_recent_references_are_saved(start_server, tmp_path: Path) -> None:
    """Every result gets an object reference; a session keeps `registry_capacity` of them
    while the server runs, but saves only the `persisted_registry_entries` most recent (so
    a busy session's file stays small). Bindings are saved whatever their age."""
    servers = Servers(start_server, tmp_path / "sessions", "--persisted-registry-entries", "5")
    server = servers.start()
    with servers.client("erin") as c:
        sid = create(c)
        kept = evaluate(c, sid, "keep := 'bound early' copy")["object_ref"]
        first = evaluate(c, sid, "'first result' copy")["object_ref"]
        refs = [evaluate(c, sid, f"'result {i}' copy")["object_ref"] for i in range(12)]
        live = c.ok("inspect", parameters={"session_id": sid, "object_ref": first})
        assert live["print_string"] == "'first result'"  # all live while the server runs
        refs += [evaluate(c, sid, f"'later {i}' copy")["object_ref"] for i in range(12)]
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(20) == 0

    servers.start()
    with servers.client("erin") as c:
        restored = restore(c, sid)
        assert len(restored["object_registry"]) == 5
        assert restored["workspace_context"]["keep"]["object_ref"] == kept
        assert evaluate(c, sid, "keep")["result"] == "'bound early'"
        newest = c.ok("inspect", parameters={"session_id": sid, "object_ref": refs[-1]})
        assert newest["print_string"] == "'later 11'"
        for gone in (first, refs[0]):
            c.error("inspect", "ObjectNotFound",
                    parameters={"session_id": sid, "object_ref": gone})
