"""Workspaces and user classes survive SIGKILL: real server processes on one sessions dir.

A client defines a class (define_class + compile_method), keeps instances, a shared reference
and a cycle in workspace variables, and a block; the server is killed with SIGKILL and started
again on the same directory. The class comes back from the image change log, the objects from
the session file (sharing and cycles intact), and the block is reported as not restored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import WireClient
from tests.persistence.support import Servers, create, restore

FOO = ("Object subclass: #Foo instanceVariableNames: 'x' classVariableNames: '' "
       "package: 'Demo'")


def evaluate(client: WireClient, sid: str, code: str) -> dict[str, Any]:
    return client.ok("evaluate", parameters={"session_id": sid, "code": code})


def image_info(client: WireClient) -> dict[str, Any]:
    return client.ok("system_info")["image"]


def define_foo(client: WireClient, sid: str) -> None:
    client.ok("define_class", parameters={"session_id": sid, "definition": FOO})
    for source in ("x ^x", "x: v x := v", "double ^x * 2"):
        client.ok("compile_method", parameters={
            "session_id": sid, "class_name": "Foo", "source": source, "category": "demo"})


def test_workspace_objects_and_classes_survive_kill9(start_server, tmp_path: Path) -> None:
    servers = Servers(start_server, tmp_path / "sessions")
    servers.start()
    with servers.client("alice") as c:
        sid = create(c)
        define_foo(c, sid)
        done = evaluate(c, sid, "a := Foo new x: 21; yourself. b := Array with: a with: a. "
                                "c := OrderedCollection new. c add: c. "
                                "d := Dictionary new. d at: #big put: (2 raisedTo: 100); "
                                "at: 'frac' put: 3/4. blk := [:n | n + 1]. 42")
        assert set(done["bindings_changed"]) >= {"a", "b", "c", "d", "blk"}
        assert image_info(c)["image_changes_appended"] >= 4
    servers.kill9()

    servers.start()
    with servers.client("alice") as c:
        info = image_info(c)
        assert info["image_changes_replayed"] == 4 and info["image_changes_skipped"] == []
        reply = restore(c, sid)
        context = reply["workspace_context"]
        assert context["a"]["class"] == "Foo" and context["a"]["object_ref"]
        assert context["b"]["print_string"] == "an Array(a Foo a Foo)"
        assert [e["name"] for e in reply["state_data"]["not_restored"]] == ["blk"]
        # The objects come back on first use: same identities, same cycle, working methods.
        first = evaluate(c, sid, "(b at: 1) == (b at: 2)")
        assert first["result"] == "true"
        assert [e["name"] for e in first["not_restored"]] == ["blk"]
        assert evaluate(c, sid, "(c at: 1) == c")["result"] == "true"
        assert evaluate(c, sid, "(b at: 1) == a")["result"] == "true"
        assert evaluate(c, sid, "a class name")["result"] == "#Foo"
        assert evaluate(c, sid, "a double")["result"] == "42"
        assert evaluate(c, sid, "(d at: #big) printString size")["result"] == "31"
        assert evaluate(c, sid, "d at: 'frac'")["result"] == "(3/4)"
        assert evaluate(c, sid, "blk")["has_error"] is False  # unbound: nil, no crash
        assert evaluate(c, sid, "blk isNil")["result"] == "true"
    # A second client sees the class too (it is in the shared image again).
    with servers.client("bob") as other:
        sid_b = create(other)
        assert evaluate(other, sid_b, "(Foo new x: 5; yourself) double")["result"] == "10"


def test_truncated_change_log_keeps_earlier_classes(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir)
    servers.start()
    with servers.client("carol") as c:
        sid = create(c)
        define_foo(c, sid)
        c.ok("define_class", parameters={"session_id": sid, "definition": FOO.replace(
            "#Foo", "#Bar")})
    servers.kill9()
    log_file = sdir / "image.changes"
    data = log_file.read_bytes()
    log_file.write_bytes(data[:-7])  # tear the last entry (the Bar definition)

    servers.start()
    with servers.client("carol") as c:
        info = image_info(c)
        assert info["image_changes_replayed"] == 4
        assert "entry 5 is truncated" in info["image_change_log_repair"]
        assert "dropped" in info["image_change_log_repair"]
        sid = create(c)
        assert evaluate(c, sid, "(Foo new x: 4; yourself) double")["result"] == "8"
        assert evaluate(c, sid, "Smalltalk includesKey: #Bar")["result"] == "false"
    assert list((sdir / "quarantine").iterdir())


def test_bad_change_entry_is_skipped_not_fatal(start_server, tmp_path: Path) -> None:
    sdir = tmp_path / "sessions"
    servers = Servers(start_server, sdir)
    servers.start()
    with servers.client("dave") as c:
        sid = create(c)
        define_foo(c, sid)
    servers.kill9()
    # Two entries that verify (checksums fine) but cannot be applied: bad source, not STON.
    from stui_trio.storage.image_changes import ChangeLog

    log = ChangeLog.open(sdir / "image.changes")
    log.append(b"ImageChange{#kind:#compile_method,#class_name:'Foo',#selector:'bad',"
               b"#source:'bad ^ ^',#category:'x',#meta:false}")
    log.append(b"not STON at all {")
    servers.start()
    with servers.client("dave") as c:
        info = image_info(c)
        assert info["image_changes_replayed"] == 4
        assert len(info["image_changes_skipped"]) == 2
        sid = create(c)
        assert evaluate(c, sid, "Foo new x: 1; double")["result"] == "2"
