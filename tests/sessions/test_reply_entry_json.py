"""A reply entry's JSON form is built once and reused by every save of its session; it must
still say exactly what the entry holds, and survive ``attrs.evolve`` and a round trip."""

from __future__ import annotations

from types import MappingProxyType

import attrs

from stui_trio.sessions.reply_buffer import ReplyBuffer, ReplyEntry, params_hash, success_body


def test_entry_json_names_every_field() -> None:
    entry = ReplyEntry(3, "r-3", "evaluate", "abc", success_body({"n": 1}), 1_700_000_000_123)
    assert entry.to_json() == {
        "seq": 3, "id": "r-3", "command": "evaluate", "params_hash": "abc",
        "reply": {"status": "success", "result": {"n": 1}}, "at_ms": 1_700_000_000_123,
    }
    assert entry.to_json() is entry.to_json()  # built once
    moved = attrs.evolve(entry, seq=9)
    assert moved.to_json()["seq"] == 9 and entry.to_json()["seq"] == 3
    assert moved != entry and attrs.evolve(moved, seq=3) == entry
    assert "_json" not in repr(entry)


def test_buffer_json_lists_entries_oldest_first_and_round_trips() -> None:
    buffer = ReplyBuffer()
    for n in range(1, 8):
        buffer = buffer.record(f"r{n}", "c", params_hash({"n": n}), success_body({"n": n}),
                               1000.0 + n, 5)
    data = buffer.to_json()
    assert data["last_seq"] == 7
    assert [e["id"] for e in data["entries"]] == ["r3", "r4", "r5", "r6", "r7"]
    assert [e["at_ms"] for e in data["entries"]] == [1_003_000 + 1000 * k for k in range(5)]
    assert ReplyBuffer.from_json(data) == buffer
    again = buffer.record("r5", "c", "h", success_body({}), 2000.0, 5)
    assert [e["id"] for e in again.to_json()["entries"]] == ["r3", "r4", "r6", "r7", "r5"]
    assert [e["id"] for e in buffer.to_json()["entries"]][-1] == "r7"  # the old value is as was


def test_params_hash_of_a_mapping_equals_that_of_its_dict() -> None:
    params = {"b": [1, 2], "a": {"x": None}}
    assert params_hash(MappingProxyType(params)) == params_hash(params)
