"""Every tool command over real ZeroMQ sockets, against a real server subprocess.

Covers the issue's "done when" list: isolation of workspaces between clients, classes shared
through the image, runaway loops stopped by timeout and by `interrupt` while another client's
ping stays fast, stacks on errors, completion, inspecting associations and dictionaries, the
envelope dialect's Evaluate.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import orjson
import zmq


def test_evaluate_modes_bindings_and_history(client) -> None:
    alice = client("ev-alice")
    result = alice.ok("evaluate", code="3 + 4")
    assert (result["result"], result["result_type"], result["has_error"]) == ("7", "SmallInteger",
                                                                              False)
    assert result["object_ref"].startswith("obj-") and result["execution_time_ms"] >= 0
    assert alice.ok("evaluate", code="x := 6 * 7", mode="do")["bindings_changed"] == ["x"]
    assert alice.ok("evaluate", code="x + 1")["result"] == "43"
    assert alice.ok("evaluate", code="'it''s'", mode="print")["result"] == "'it''s'"
    assert alice.ok("evaluate", code="'it''s'", mode="display")["result"] == "it's"
    inspected = alice.ok("evaluate", code="3 @ 4", mode="inspect")
    assert inspected["inspection"]["class_name"] == "Point"
    assert [f["name"] for f in inspected["inspection"]["fields"]] == ["x", "y"]
    history = alice.ok("get_history", limit=2)["entries"]
    assert [e["code"] for e in history] == ["'it''s'", "3 @ 4"]
    assert alice.error("evaluate", "InvalidRequest", code="1", mode="shout")


def test_transcript_output_is_per_evaluation_and_per_session(client) -> None:
    alice, bob = client("tr-alice"), client("tr-bob")
    out = alice.ok("evaluate", code="Transcript show: 'hello'; cr. 1")
    assert out["transcript_output"] == "hello\n"
    alice.ok("evaluate", code="Transcript show: 'again'. 2")
    page = alice.ok("get_transcript", since=0)
    assert [e["text"] for e in page["entries"]] == ["hello\n", "again"] and page["next"] == 2
    assert alice.ok("get_transcript", since=2)["entries"] == []
    assert bob.ok("get_transcript")["entries"] == []


def test_two_clients_same_variable_each_their_own(client) -> None:
    alice, bob = client("iso-alice"), client("iso-bob")
    alice.ok("evaluate", code="shared := 'alice'")
    bob.ok("evaluate", code="shared := 'bob'")
    assert alice.ok("evaluate", code="shared")["result"] == "'alice'"
    assert bob.ok("evaluate", code="shared")["result"] == "'bob'"
    ref = alice.ok("evaluate", code="shared")["object_ref"]
    assert alice.ok("inspect", object_ref=ref)["print_string"] == "'alice'"
    for _ in range(3):
        alice.ok("evaluate", code="Array new: 2")
    late = alice.ok("evaluate", code="shared , '!'")["object_ref"]
    bob.error("inspect", "ObjectNotFound", object_ref=late)  # refs are per session
    own = bob.session_id
    bob.session_id = alice.session_id  # another client's session: refused
    bob.error("evaluate", "AccessDenied", code="shared")
    bob.session_id = None
    bob.error("evaluate", "InvalidRequest", code="shared")  # command style needs a session
    bob.session_id = own


def test_a_class_defined_by_one_client_is_usable_by_another(client) -> None:
    alice, bob = client("cls-alice"), client("cls-bob")
    made = alice.ok("define_class", definition="Object subclass: #WireCounter "
                    "instanceVariableNames: 'count' classVariableNames: '' package: 'WireTest'")
    assert made == {"class_name": "WireCounter", "created": True, "changed": False}
    alice.ok("compile_method", class_name="WireCounter", category="counting",
             source="increment\n\tcount := (count ifNil: [0]) + 1.\n\t^ count")
    alice.ok("compile_method", class_name="WireCounter", is_class_method=True,
             source="startingAt: n\n\t^ self new setCount: n")
    alice.ok("compile_method", class_name="WireCounter", source="setCount: n\n\tcount := n")
    alice.ok("compile_method", class_name="WireCounter", category="initialization",
             source="initialize\n\tcount := 0")
    assert bob.ok("evaluate", code="(WireCounter startingAt: 41) increment")["result"] == "42"
    bad = bob.error("compile_method", "SyntaxError", class_name="WireCounter",
                    source="broken\n\t^ (1 + ")
    assert bad["details"]["line"] == 2 and bad["details"]["column"] >= 5
    browsed = bob.ok("browse_class", class_name="WireCounter", include_source=True)
    assert browsed["class_info"]["package"] == "WireTest"
    assert "instanceVariableNames: 'count'" in browsed["class_info"]["definition"]
    assert browsed["instance_vars"] == ["count"]
    assert {m["selector"] for m in browsed["instance_methods"]} == {
        "increment", "setCount:", "initialize"}
    assert browsed["class_methods"][0]["selector"] == "startingAt:"
    assert browsed["superclass_chain"][0] == "Object"
    method = bob.ok("get_method", class_name="WireCounter", selector="increment")["method"]
    assert method["category"] == "counting" and "count := " in method["source"]
    bob.error("get_method", "MethodNotFound", class_name="WireCounter", selector="nope")
    bob.error("browse_class", "ClassNotFound", class_name="NoSuchClassHere")
    senders = bob.ok("find_senders", selector="setCount:")["methods"]
    assert {"class_name": "WireCounter", "selector": "startingAt:",
            "is_class_method": True} in senders
    implementors = bob.ok("find_implementors", selector="increment")["methods"]
    assert {"class_name": "WireCounter", "selector": "increment",
            "is_class_method": False} in implementors
    listed = bob.ok("list_classes", pattern="Wire*")
    assert [c["name"] for c in listed["classes"]] == ["WireCounter"]
    assert bob.ok("list_classes", package="WireTest")["total_count"] == 1
    everything = bob.ok("list_classes", offset=0, limit=5)
    assert len(everything["classes"]) == 5 and everything["total_count"] > 20


def test_errors_carry_class_message_and_stack(client) -> None:
    alice = client("err-alice")
    reply = alice.error("evaluate", "EvaluationError", code="#(1 2 3) collect: [:x | x / 0]")
    details = reply["details"]
    assert details["error_class"] == "ZeroDivide"
    assert details["stack"] and all({"class_name", "selector", "line"} <= set(f)
                                    for f in details["stack"])
    assert any(f["selector"] == "/" or "collect" in f["selector"] for f in details["stack"])
    syntax = alice.error("evaluate", "SyntaxError", code="3 + + 4. [")
    assert syntax["details"]["line"] == 1 and syntax["details"]["column"] > 1
    assert alice.ok("evaluate", code="1 + 1")["result"] == "2"  # still usable


def test_completion_is_context_aware(client) -> None:
    alice = client("cmp-alice")
    found = alice.ok("complete", code="'abc' asUpp")
    assert found["prefix"] == "asUpp"
    assert {"text": "asUppercase", "kind": "selector"} in found["completions"]
    alice.ok("evaluate", code="numbers := OrderedCollection new")
    assert "numbers" in [c["text"] for c in alice.ok("complete", code="num")["completions"]]
    adds = [c["text"] for c in alice.ok("complete", code="numbers ad")["completions"]]
    assert "add:" in adds and "asUppercase" not in adds
    news = [c["text"] for c in alice.ok("complete", code="OrderedCollection ne")["completions"]]
    assert "new" in news
    classes = alice.ok("complete", code="OrderedCo")["completions"]
    assert {"text": "OrderedCollection", "kind": "class"} in classes
    shows = [c["text"] for c in alice.ok("complete", code="Transcript sh")["completions"]]
    assert "show:" in shows
    keyword = alice.ok("complete", code="Dictionary new at: 1 pu")["completions"]
    assert {"text": "put:", "kind": "keyword"} in keyword


def test_inspect_association_dictionary_paths_and_paging(client) -> None:
    alice = client("insp-alice")
    assoc = alice.ok("inspect", code="#a -> 3")
    assert assoc["class_name"] == "Association"
    fields = {f["name"]: f for f in assoc["fields"]}
    assert fields["key"]["print_string"] == "#a" and fields["value"]["print_string"] == "3"
    d = alice.ok("inspect", code="Dictionary new at: #x put: 1; at: #y put: 2; yourself")
    pairs = {(i["key"], i["value"]) for i in d["indexed"]["items"]}
    assert pairs == {("#x", "1"), ("#y", "2")} and d["size"] == 2
    big = alice.ok("evaluate", code="big := (1 to: 250) asArray")["object_ref"]
    page = alice.ok("inspect", object_ref=big, offset=100, limit=10)["indexed"]
    assert page["total"] == 250 and [i["print_string"] for i in page["items"]][:2] == ["101",
                                                                                     "102"]
    alice.ok("evaluate", code="nested := Array with: (3 -> (OrderedCollection with: 7 with: 8))")
    ref = alice.ok("evaluate", code="nested")["object_ref"]
    reached = alice.ok("inspect", object_ref=ref, path=[1, "value", 2])
    assert reached["print_string"] == "8"
    assert reached["inspector_state"]["selection"] == reached["object_ref"]
    alice.error("inspect", "ObjectNotFound", object_ref=ref, path=[1, "nope"])
    alice.error("inspect", "ObjectNotFound", object_ref="obj-999999")


def _pinger(endpoint: str, stop: threading.Event, lags: list[tuple[float, float]]) -> None:
    """Ping as another client every ~10 ms; records (sent at, round trip)."""
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 5000)
    sock.connect(endpoint)
    try:
        while not stop.is_set():
            started = time.perf_counter()
            sock.send(orjson.dumps({"id": "p", "command": "ping", "client_id": "pinger"}))
            sock.recv()
            lags.append((started, time.perf_counter() - started))
            time.sleep(0.01)
    finally:
        sock.close(0)


def test_runaway_stopped_by_timeout(client) -> None:
    alice = client("timeout-alice")
    started = time.perf_counter()
    reply = alice.error("evaluate", "Timeout", code="[true] whileTrue", timeout_ms=300)
    elapsed = time.perf_counter() - started
    assert 0.3 <= elapsed < 0.4, elapsed  # the reply comes within 100 ms of the deadline
    assert reply["details"]["timeout_ms"] == 300
    assert alice.ok("evaluate", code="1 + 2")["result"] == "3"
    history = alice.ok("get_history")["entries"]
    assert history[-2]["has_error"] and history[-2]["code"] == "[true] whileTrue"


def test_runaway_stopped_by_interrupt_while_another_clients_pings_stay_fast(
    client, tools_server
) -> None:
    alice = client("intr-alice")
    stop, lags = threading.Event(), []
    pinger = threading.Thread(target=_pinger, args=(tools_server.endpoint, stop, lags))
    result: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: result.update(
        alice.call("evaluate", code="[true] whileTrue", timeout_ms=20_000)))
    pinger.start()
    try:
        runner.start()
        time.sleep(0.1)
        window = time.perf_counter()
        time.sleep(0.8)
        # `interrupt` from a second socket of the same client while the first one waits.
        other = type(alice)(tools_server.endpoint, alice.client_id)
        other.session_id = alice.session_id
        try:
            asked = time.perf_counter()
            assert other.ok("interrupt")["interrupted"] is True
            runner.join(5)
            stopped_after = time.perf_counter() - asked
        finally:
            other.close()
    finally:
        stop.set()
        pinger.join(5)
        runner.join(5)
    assert result["error_type"] == "Interrupted", result
    assert stopped_after < 0.1, stopped_after
    during = [lag for at, lag in lags if window <= at < asked]
    assert len(during) >= 20, len(during)
    assert statistics.median(during) < 0.05, statistics.median(during)
    assert alice.ok("evaluate", code="1 + 2")["result"] == "3"
    assert alice.ok("interrupt")["interrupted"] is False  # nothing running now


def test_envelope_dialect_evaluate_and_friends(tools_server) -> None:
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 10_000)
    sock.connect(tools_server.endpoint)

    def request(kind: str, params: dict[str, Any]) -> dict[str, Any]:
        sock.send(orjson.dumps({
            "id": f"env-{kind}", "version": "1.0.0", "timestamp": "2026-01-01T00:00:00Z",
            "payload": {"type": "Request", "data": {"request_type": kind, "params": params}},
        }))
        return orjson.loads(sock.recv())["payload"]["data"]

    try:
        data = request("Evaluate", {"code": "3 + 4"})
        assert data["response_type"] == "EvaluateResult"
        assert (data["result"], data["result_type"]) == ("7", "SmallInteger")
        request("Evaluate", {"code": "kept := 5"})
        assert request("Evaluate", {"code": "kept * 2"})["result"] == "10"
        listed = request("ListClasses", {"pattern": "Ordered*"})
        assert "OrderedCollection" in [c["name"] for c in listed["classes"]]
        browsed = request("BrowseClass", {"class_name": "Association"})
        assert browsed["class_info"]["name"] == "Association"
        inspected = request("Inspect", {"code": "1 -> 2"})
        assert {f["name"] for f in inspected["fields"]} >= {"key", "value"}
        failed = request("Evaluate", {"code": "1/0"})
        assert failed["response_type"] == "Error" and failed["code"] == "EvaluationError"
    finally:
        sock.close(0)
