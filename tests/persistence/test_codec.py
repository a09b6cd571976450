"""Session <-> STON: JSON state round-trips exactly; the #workspace seam keeps what it gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stui_trio.sessions.codec import (
    SessionDecodeError,
    WorkspaceText,
    decode_session,
    encode_session,
    encode_session_for_journal,
    encode_session_model,
    journal_to_ston,
)
from stui_trio.sessions.durable_store import DurableSessionStore, DurableSettings
from stui_trio.sessions.model import Session
from stui_trio.storage.ston import StonMap, StonObject, Symbol, isomorphic, loads

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def session(state: dict[str, Any], **kw: Any) -> Session:
    return Session(
        session_id=kw.get("sid", "s-1"), client_id=kw.get("cid", "c-1"), created_at=1.5,
        last_access=2.25, last_modified=2.0, timeout=3600.0, subscription_tier="pro",
        client_info={"platform": "linux", "capabilities": ["evaluate"]}, state=state,
    )


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_json_state_round_trips_exactly(state: dict[str, Any]) -> None:
    original = session(state)
    decoded = decode_session(encode_session(original))
    assert decoded.session == original and decoded.workspace is None
    # Same JSON types, not just equal values (1 == 1.0 == True in Python).
    assert repr(decoded.session.state) == repr(state)


tricky_text = st.lists(st.sampled_from(
    ["a", "'", '"', "\\", "\n", "\x00", "\x1f", "\x7f", "\x85", "é", "✓", "null", "1.5e3",
     "true", " ", "\\u001f", '\\"', "\\\\"]
), max_size=6).map("".join) | st.text()
plain_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(tricky_text, plain_json, max_size=5))
def test_fast_encoder_writes_exactly_what_the_ston_writer_writes(state: dict[str, Any]) -> None:
    s = session(state)
    assert encode_session(s) == encode_session_model(s)


def test_payload_is_a_tagged_ston_document() -> None:
    doc = loads(encode_session(session({"a": [1, "two"]}), pretty=True).decode())
    assert isinstance(doc, StonObject) and doc.tag == "StuiSession"
    assert doc.value[Symbol("format")] == 1 and doc.value[Symbol("workspace")] is None
    assert doc.value[Symbol("state")]["a"] == [1, "two"]


@pytest.mark.parametrize("text", [
    b"[1,2]", b"StuiSession{#format:2,#meta:{},#state:{}}", b"StuiSession{#format:1}",
    b"StuiSession{#format:1,#meta:{#session_id:'x'},#state:{}}", b"not ston",
])
def test_foreign_payloads_are_refused(text: bytes) -> None:
    with pytest.raises(SessionDecodeError):
        decode_session(text)


class PointsCodec:
    """A stand-in for the tools layer: the workspace is a shared, cyclic STON graph."""

    def __init__(self) -> None:
        self.decoded: list[Any] = []

    def encode(self, s: Session) -> Any:
        shared = StonObject("Point", [1, 2])
        cyclic: list[Any] = ["self"]
        cyclic.append(cyclic)
        return StonMap([("p", shared), ("q", shared), ("cycle", cyclic)])

    def decode(self, value: Any, s: Session) -> None:
        self.decoded.append(value.value() if isinstance(value, WorkspaceText) else value)


async def test_workspace_seam_and_opaque_preservation(tmp_path: Path) -> None:
    settings_ = DurableSettings(root=tmp_path)
    original = session({"k": "v"})
    async with DurableSessionStore(settings_, workspace_codec=PointsCodec()).running() as st1:
        await st1.save(original)
    # A build without a workspace codec keeps the #workspace value it found, verbatim.
    async with DurableSessionStore(settings_).running() as plain:
        (loaded,) = await plain.list("c-1")
        assert loaded == original
        await plain.save(loaded)
    codec = PointsCodec()
    async with DurableSessionStore(settings_, workspace_codec=codec).running() as st3:
        assert await st3.load("c-1", "s-1") == original
    (value,) = codec.decoded
    assert isomorphic(value, PointsCodec().encode(original))
    assert value["p"] is value["q"] and value["cycle"][1] is value["cycle"]


def shared_workspace() -> StonObject:
    """A workspace value with sharing and a cycle, as the workspace codec writes them."""
    point = StonObject("Point", [1, 2])
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    return StonObject("StuiWorkspace", StonMap([
        (Symbol("bindings"), StonMap([("a", point), ("b", [point, point]), ("c", cyclic)])),
        (Symbol("registry"), [["obj-1", point]]),
        (Symbol("next"), 2),
    ]))


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_workspace_text_documents_read_back_like_model_documents(state: dict[str, Any]) -> None:
    """A workspace written ahead of time (WorkspaceText, numbered for its place first in the
    document) reads back isomorphic to the model path's, sharing and cycles included, and so
    does its journal form once turned into the file's STON."""
    workspace = shared_workspace()
    reference = decode_session(encode_session_model(session(state), workspace=workspace))
    text = WorkspaceText.of(workspace)
    for payload in (
        encode_session(session(state), workspace=text),
        journal_to_ston(encode_session_for_journal(session(state), workspace=text)),
        journal_to_ston(encode_session_for_journal(session(state), workspace=workspace)),
    ):
        decoded = decode_session(payload)
        assert decoded.session == reference.session
        assert isomorphic(decoded.workspace, reference.workspace)
        bindings = decoded.workspace.value[Symbol("bindings")]
        a, b, c = bindings["a"], bindings["b"], bindings["c"]
        assert b[0] is a and b[1] is a and c[1] is c
        assert decoded.workspace.value[Symbol("registry")][0][1] is a


def test_journal_form_is_json_and_decodes_directly() -> None:
    s = session({"history": [{"code": "3 + 4", "result": "7"}]})
    journaled = encode_session_for_journal(s)
    assert journaled.startswith(b"{")
    assert decode_session(journaled).session == s
    assert journal_to_ston(journaled) == encode_session(s)
