"""The reply buffer as a value, in the session document, and in the session manager."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stui_trio.protocol.dialects import made_up_id
from stui_trio.sessions.codec import (
    decode_session,
    encode_session,
    encode_session_for_journal,
    encode_session_model,
    journal_to_ston,
)
from stui_trio.sessions.durable_store import DurableSessionStore, DurableSettings
from stui_trio.sessions.manager import SessionManager
from stui_trio.sessions.model import Session
from stui_trio.sessions.reply_buffer import (
    CLIPPED_CHARS,
    MAX_REPLY_BYTES,
    ReplyBuffer,
    ReplyRecorder,
    client_supplied,
    encoded_body,
    params_hash,
    success_body,
)
from stui_trio.sessions.store import InMemorySessionStore


def ok(n: int) -> dict[str, Any]:
    return success_body({"n": n})


def raw(body: dict[str, Any]) -> bytes:
    kept = encoded_body(body)
    assert kept is not None
    return kept


def filled(count: int, capacity: int = 64) -> ReplyBuffer:
    buffer = ReplyBuffer()
    for n in range(1, count + 1):
        buffer = buffer.record(f"r{n}", "evaluate", "h", raw(ok(n)), 1000.0 + n, capacity)
    return buffer


def test_record_is_bounded_and_numbered() -> None:
    buffer = filled(5, capacity=3)
    assert [e.seq for e in buffer.entries] == [3, 4, 5] and buffer.last_seq == 5
    assert buffer.find("r1") is None and buffer.find("r4").reply == ok(4)
    assert ReplyBuffer().record("a", "c", "h", raw(ok(1)), 1.0, 0) == ReplyBuffer()


def test_same_id_replaces_and_forget_keeps_numbering() -> None:
    buffer = filled(3).record("r1", "compile_method", "h2", raw(ok(9)), 2000.0, 64)
    assert [e.request_id for e in buffer.entries] == ["r2", "r3", "r1"]
    assert buffer.find("r1").seq == 4 and buffer.find("r1").command == "compile_method"
    forgotten = buffer.forget("r3")
    assert [e.seq for e in forgotten.entries] == [2, 4] and forgotten.last_seq == 4
    assert forgotten.forget("nope") is forgotten


def test_since_pages_like_the_transcript() -> None:
    buffer = filled(6, capacity=4)  # keeps 3..6
    page = buffer.since(0)
    assert [e.seq for e in page.entries] == [3, 4, 5, 6] and page.next == 6 and page.missed == 2
    page = buffer.since(4, limit=1)
    assert [e.seq for e in page.entries] == [5] and page.next == 5 and page.missed == 0
    page = buffer.since(6)
    assert page.entries == () and page.next == 6 and page.missed == 0
    assert ReplyBuffer().since(0).next == 0


def test_json_round_trip_and_malformed_gives_empty() -> None:
    buffer = filled(3)
    assert ReplyBuffer.from_json(buffer.to_json()) == buffer
    assert ReplyBuffer.from_json({"entries": [{"seq": "1"}], "last_seq": 1}) == ReplyBuffer()
    assert ReplyBuffer.from_json("junk") == ReplyBuffer()


def test_made_up_ids_are_recognised() -> None:
    assert not client_supplied(made_up_id())
    assert client_supplied("r-17")


def test_params_hash_ignores_key_order() -> None:
    assert params_hash({"a": 1, "b": [2]}) == params_hash({"b": [2], "a": 1})
    assert params_hash({"a": 1}) != params_hash({"a": 2})


def session(**kw: Any) -> Session:
    return Session(
        session_id="s-1", client_id="c-1", created_at=1.5, last_access=2.25, last_modified=2.0,
        timeout=3600.0, subscription_tier="free", client_info={}, state={"k": [1]}, **kw,
    )


def test_session_document_keeps_the_buffer() -> None:
    original = session(replies=filled(3).record(
        "e", "evaluate", "h", raw({"status": "error", "error": "it's \\ odd",
                                   "error_type": "Timeout", "details": {"timeout_ms": 5}}), 7.5, 64,
    ))
    payload = encode_session(original)
    assert payload == encode_session_model(original)
    assert decode_session(payload).session == original
    journal = encode_session_for_journal(original)
    assert journal_to_ston(journal) == payload
    assert decode_session(journal).session == original
    # An empty buffer writes no #replies at all: the document is the same as before it existed.
    assert b"#replies" not in encode_session(session())


OLD_DOCUMENT = (
    b"StuiSession{#format:1,#meta:{#session_id:'s-1',#client_id:'c-1',#created_at:1.5,"
    b"#last_access:2.25,#last_modified:2.0,#timeout:3600.0,#subscription_tier:'free',"
    b"#client_info:{}},#state:{'k':[1]},#workspace:nil}"
)


def test_a_document_written_before_the_buffer_loads_with_an_empty_one() -> None:
    loaded = decode_session(OLD_DOCUMENT).session
    assert loaded.replies == ReplyBuffer() and loaded.state == {"k": [1]}
    assert loaded == session()


json_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(
    max_size=8
) | st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=6), st.dictionaries(
    st.text(max_size=5), json_scalars, max_size=4)), max_size=6))
def test_fast_and_model_writers_agree_with_replies(items: list[tuple[str, dict]]) -> None:
    buffer = ReplyBuffer()
    for request_id, result in items:
        buffer = buffer.record(request_id, "evaluate", "h", raw(success_body(result)), 3.25, 4)
    s = session(replies=buffer)
    payload = encode_session(s)
    assert payload == encode_session_model(s)
    assert decode_session(payload).session == s
    # The journal's form (replies embedded as their stored bytes) writes the same file.
    journal = encode_session_for_journal(s)
    assert journal_to_ston(journal) == payload
    assert decode_session(journal).session == s


async def test_manager_keeps_replies_in_memory_until_a_save() -> None:
    store = InMemorySessionStore()
    manager = SessionManager(store, timeout=100.0, max_per_client=2)
    s = await manager.create("c", tier="free", client_info={})
    recorder = ReplyRecorder(manager, s.session_id, "r1", "evaluate", "h", 8)
    recorder.settle(True, success_body({"v": 1}))
    assert manager.unsaved == 1
    assert (await store.load("c", s.session_id)).replies == ReplyBuffer()  # not saved yet
    assert await manager.flush_unsaved() == 1 and manager.unsaved == 0
    stored = (await store.load("c", s.session_id)).replies
    assert stored.find("r1").reply == success_body({"v": 1})
    # A replace() with an older copy does not roll the buffer back.
    await manager.replace(s)
    assert manager.peek("c", s.session_id).replies == stored


async def test_update_state_saves_the_reply_with_the_change(tmp_path: Path) -> None:
    store = DurableSessionStore(DurableSettings(root=tmp_path))
    async with store.running():
        manager = SessionManager(store, timeout=100.0, max_per_client=2)
        s = await manager.create("c", tier="free", client_info={})
        recorder = ReplyRecorder(manager, s.session_id, "u1", "update_session_state", "h", 8)
        await manager.update_state(
            "c", s.session_id, {"k": 1},
            before_save=lambda u: recorder.into(u, {"ok": u.state["k"]}),
        )
        recorder.settle(True, success_body({"ignored": True}))  # kept already: not twice
        assert manager.unsaved == 0
    reread = DurableSessionStore(DurableSettings(root=tmp_path))
    async with reread.running():
        loaded = await reread.load("c", s.session_id)
    assert loaded is not None and loaded.state["k"] == 1
    assert [e.reply for e in loaded.replies.entries] == [success_body({"ok": 1})]


async def test_errors_that_did_not_run_undo_a_remembered_reply_and_big_ones_are_clipped() -> None:
    manager = SessionManager(InMemorySessionStore(), timeout=100.0, max_per_client=2)
    s = await manager.create("c", tier="free", client_info={})
    recorder = ReplyRecorder(manager, s.session_id, "r1", "evaluate", "h", 8)
    recorder.remember({"result": "1"})
    assert manager.peek("c", s.session_id).replies.find("r1") is not None
    recorder.settle(False, {"status": "error", "error": "disk", "error_type": "StorageError"})
    assert manager.peek("c", s.session_id).replies.find("r1") is None
    # A too big reply is kept with its long strings clipped, and says so; one too big even
    # clipped is not kept.
    big = ReplyRecorder(manager, s.session_id, "r2", "evaluate", "h", 8)
    big.settle(True, success_body({"result": "x" * MAX_REPLY_BYTES, "n": 3}))
    kept = manager.peek("c", s.session_id).replies.find("r2").reply["result"]
    assert kept == {"result": "x" * CLIPPED_CHARS + "…", "n": 3, "reply_clipped": True}
    huge = ReplyRecorder(manager, s.session_id, "r3", "evaluate", "h", 8)
    huge.settle(True, success_body({"items": ["y"] * MAX_REPLY_BYTES}))
    assert manager.peek("c", s.session_id).replies.find("r3") is None
