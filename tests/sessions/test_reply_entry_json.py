"""A reply entry keeps its body as the JSON bytes it was encoded to, so each entry is a single
object the cyclic garbage collector tracks; its journal form (built once, reused by every save
of its session) embeds those bytes as they are. The documents written must stay byte for byte
what they were when an entry held the decoded body."""

from __future__ import annotations

import gc
from types import MappingProxyType
from typing import Any

import attrs
import orjson

from stui_trio.sessions.codec import (
    decode_session,
    encode_session,
    encode_session_for_journal,
    encode_session_model,
    journal_to_ston,
)
from stui_trio.sessions.model import Session
from stui_trio.sessions.reply_buffer import (
    CLIPPED_CHARS,
    MAX_REPLY_BYTES,
    ReplyBuffer,
    ReplyEntry,
    encoded_body,
    error_body,
    params_hash,
    success_body,
)

META = (
    "session_id", "client_id", "created_at", "last_access", "last_modified", "timeout",
    "subscription_tier", "client_info",
)

BODIES: list[dict[str, Any]] = [
    success_body({"result": "3", "f": 1.5e-7, "neg": -0.0, "big": 2**63 - 1, "l": [1, 2.0, None]}),
    success_body({"result": "it's \\ \"odd\" é \x85 \x7f 𝄞", "nested": {"a": [{"b": []}, {}]}}),
    error_body("Timeout", "took too long", {"timeout_ms": 5, "x": 0.1}),
    error_body("EvaluationError", "boom", None),
    success_body({"result": "x" * (MAX_REPLY_BYTES + 10), "n": 3}),  # kept clipped
]


def raw(body: dict[str, Any]) -> bytes:
    kept = encoded_body(body)
    assert kept is not None
    return kept


def session(replies: ReplyBuffer) -> Session:
    return Session(
        session_id="s-1", client_id="c-1", created_at=1.5, last_access=2.25, last_modified=2.0,
        timeout=3600.0, subscription_tier="free", client_info={"v": "1"},
        state={"k": [1], "q": "a'b"}, replies=replies,
    )


def buffer_of(bodies: list[dict[str, Any]], capacity: int = 64) -> ReplyBuffer:
    buffer = ReplyBuffer()
    for n, body in enumerate(bodies):
        buffer = buffer.record(
            f"r{n}", "evaluate", params_hash({"n": n}), raw(body), 1_700_000_000.125 + n, capacity
        )
    return buffer


def tracked_reachable(root: object) -> list[object]:
    """Every object reachable from ``root`` that the cyclic collector tracks (types aside)."""
    seen: dict[int, object] = {}
    todo = [root]
    while todo:
        item = todo.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen[id(item)] = item
        todo.extend(gc.get_referents(item))
    return [o for o in seen.values() if gc.is_tracked(o)]


def test_entry_json_names_every_field() -> None:
    body = success_body({"n": 1})
    entry = ReplyEntry.of(3, "r-3", "evaluate", "abc", body, 1_700_000_000_123)
    assert entry.raw == orjson.dumps(body) and entry.reply == body
    assert entry.to_json() == {
        "seq": 3, "id": "r-3", "command": "evaluate", "params_hash": "abc",
        "reply": {"status": "success", "result": {"n": 1}}, "at_ms": 1_700_000_000_123,
    }
    assert orjson.dumps(entry.to_journal_json()) == orjson.dumps(entry.to_json())
    assert entry.to_journal_json() is entry.to_journal_json()  # built once
    moved = attrs.evolve(entry, seq=9)
    assert moved.to_json()["seq"] == 9 and entry.to_json()["seq"] == 3
    assert orjson.loads(orjson.dumps(moved.to_journal_json()))["seq"] == 9
    assert moved != entry and attrs.evolve(moved, seq=3) == entry
    assert ReplyEntry.of(3, "r-3", "evaluate", "abc", dict(body), 1_700_000_000_123) == entry
    assert hash(ReplyEntry.of(3, "r-3", "evaluate", "abc", body, 1_700_000_000_123)) == hash(entry)
    assert ReplyEntry.of(3, "r-3", "evaluate", "abc", success_body({"n": 2}), 1) != entry
    assert "_journal" not in repr(entry)


def test_reply_is_decoded_afresh_so_changing_it_changes_nothing() -> None:
    entry = ReplyEntry.of(1, "r", "c", "h", success_body({"l": [1]}), 5)
    first = entry.reply
    first["result"]["l"].append(2)
    assert entry.reply == success_body({"l": [1]}) and entry.reply is not entry.reply
    plain = entry.to_json()
    plain["reply"]["status"] = "changed"
    assert entry.to_json()["reply"]["status"] == "success"


def test_an_entry_is_the_one_object_the_collector_tracks() -> None:
    entry = ReplyEntry.of(1, "r", "c", "h", BODIES[1], 5)
    journal = entry.to_journal_json()
    assert gc.is_tracked(entry)
    assert not gc.is_tracked(journal)
    assert not any(gc.is_tracked(v) for v in journal.values())  # the Fragment is not either
    assert tracked_reachable(entry) == [entry]


def test_a_full_buffer_costs_the_collector_one_object_per_entry() -> None:
    buffer = buffer_of([BODIES[n % len(BODIES)] for n in range(64)])
    assert len(buffer) == 64
    # The buffer, its entries tuple and the entries: nothing else, however nested the replies.
    tracked = tracked_reachable(buffer)
    assert len(tracked) == 64 + 2
    assert {id(o) for o in tracked} == {id(buffer), id(buffer.entries)} | {
        id(e) for e in buffer.entries
    }
    # Read back (as on a restart, from either form) it is the same again.
    for data in (buffer.to_json(), orjson.loads(orjson.dumps(buffer.to_journal_json()))):
        again = ReplyBuffer.from_json(data)
        assert again == buffer and len(tracked_reachable(again)) == 64 + 2


def test_encoded_body_is_a_snapshot_clipped_when_too_big() -> None:
    body = success_body({"l": [1, 2], "s": "é"})
    kept = encoded_body(body)
    assert kept == orjson.dumps(body)
    body["result"]["l"].append(3)
    assert orjson.loads(kept) == success_body({"l": [1, 2], "s": "é"})
    assert encoded_body(success_body({"x": object()})) is None
    assert encoded_body(MappingProxyType({"status": "success"})) is None  # not a JSON map
    big = orjson.loads(raw(BODIES[4]))
    assert big == success_body({"result": "x" * CLIPPED_CHARS + "…", "n": 3, "reply_clipped": True})
    details = orjson.loads(raw(error_body("Timeout", "y" * MAX_REPLY_BYTES, {"t": 1})))
    assert details["error"] == "y" * CLIPPED_CHARS + "…"
    assert details["details"] == {"t": 1, "reply_clipped": True}
    assert encoded_body(success_body({"items": ["y"] * MAX_REPLY_BYTES})) is None


def test_buffer_json_lists_entries_oldest_first_and_round_trips() -> None:
    buffer = ReplyBuffer()
    for n in range(1, 8):
        buffer = buffer.record(f"r{n}", "c", params_hash({"n": n}), raw(success_body({"n": n})),
                               1000.0 + n, 5)
    data = buffer.to_json()
    assert data["last_seq"] == 7
    assert [e["id"] for e in data["entries"]] == ["r3", "r4", "r5", "r6", "r7"]
    assert [e["at_ms"] for e in data["entries"]] == [1_003_000 + 1000 * k for k in range(5)]
    assert [e["reply"] for e in data["entries"]] == [success_body({"n": n}) for n in range(3, 8)]
    assert ReplyBuffer.from_json(data) == buffer
    assert orjson.dumps(buffer.to_journal_json()) == orjson.dumps(data)
    again = buffer.record("r5", "c", "h", raw(success_body({})), 2000.0, 5)
    assert [e["id"] for e in again.to_json()["entries"]] == ["r3", "r4", "r6", "r7", "r5"]
    assert [e["id"] for e in buffer.to_json()["entries"]][-1] == "r7"  # the old value is as was


def test_journal_payload_is_the_plain_json_encoding() -> None:
    for count in range(1, len(BODIES) + 1):
        s = session(buffer_of(BODIES[:count], capacity=4))
        plain = {
            "meta": {name: getattr(s, name) for name in META},
            "state": dict(s.state),
            "replies": {
                "last_seq": s.replies.last_seq,
                "entries": [
                    {"seq": e.seq, "id": e.request_id, "command": e.command,
                     "params_hash": e.params_hash, "reply": e.reply, "at_ms": e.at_ms}
                    for e in s.replies.entries
                ],
            },
            "workspace": None,
        }
        journal = encode_session_for_journal(s)
        assert journal == orjson.dumps(plain)
        assert orjson.loads(journal) == plain
        # The checkpoint's file is the one encode_session writes; both read back the session.
        assert journal_to_ston(journal) == encode_session(s) == encode_session_model(s)
        assert decode_session(journal).session == s
        assert decode_session(encode_session(s)).session == s


# Written by the build before entries kept bytes (an entry held the decoded body then): the
# journal record and the file of the same session. Both must read back, and still be written.
GOLDEN_JOURNAL = (
    b'{"meta":{"session_id":"s-1","client_id":"c-1","created_at":1.5,"last_access":2.25,'
    b'"last_modified":2.0,"timeout":3600.0,"subscription_tier":"free","client_info":{}},'
    b'"state":{"k":[1]},"replies":{"last_seq":2,"entries":[{"seq":1,"id":"r1",'
    b'"command":"evaluate","params_hash":"h1","reply":{"status":"success","result":'
    b'{"result":"it\'s \xc3\xa9","f":0.5,"l":[1,null]}},"at_ms":7250},{"seq":2,"id":"r2",'
    b'"command":"evaluate","params_hash":"h2","reply":{"status":"error","error":"slow",'
    b'"error_type":"Timeout","details":{"timeout_ms":5}},"at_ms":8500}]},"workspace":null}'
)
GOLDEN_FILE = (
    b"StuiSession{#format:1,#meta:{#session_id:'s-1',#client_id:'c-1',#created_at:1.5,"
    b"#last_access:2.25,#last_modified:2.0,#timeout:3600.0,#subscription_tier:'free',"
    b"#client_info:{}},#state:{'k':[1]},#replies:{'last_seq':2,'entries':[{'seq':1,'id':'r1',"
    b"'command':'evaluate','params_hash':'h1','reply':{'status':'success','result':"
    b"{'result':'it\\'s \xc3\xa9','f':0.5,'l':[1,nil]}},'at_ms':7250},{'seq':2,'id':'r2',"
    b"'command':'evaluate','params_hash':'h2','reply':{'status':'error','error':'slow',"
    b"'error_type':'Timeout','details':{'timeout_ms':5}},'at_ms':8500}]},#workspace:nil}"
)


def test_journal_and_file_forms_are_byte_for_byte_as_before() -> None:
    buffer = ReplyBuffer()
    buffer = buffer.record(
        "r1", "evaluate", "h1",
        raw(success_body({"result": "it's é", "f": 0.5, "l": [1, None]})), 7.25, 4,
    )
    buffer = buffer.record(
        "r2", "evaluate", "h2", raw(error_body("Timeout", "slow", {"timeout_ms": 5})), 8.5, 4
    )
    s = attrs.evolve(session(buffer), client_info={}, state={"k": [1]})
    assert encode_session_for_journal(s) == GOLDEN_JOURNAL
    assert encode_session(s) == encode_session_model(s) == GOLDEN_FILE
    assert journal_to_ston(GOLDEN_JOURNAL) == GOLDEN_FILE
    assert decode_session(GOLDEN_JOURNAL).session == s
    assert decode_session(GOLDEN_FILE).session == s


def test_params_hash_of_a_mapping_equals_that_of_its_dict() -> None:
    params = {"b": [1, 2], "a": {"x": None}}
    assert params_hash(MappingProxyType(params)) == params_hash(params)
