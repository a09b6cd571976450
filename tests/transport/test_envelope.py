"""Envelope parsing and reply framing, as pure functions over frame lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stui_trio.transport import (
    Envelope,
    Incoming,
    MalformedFrames,
    parse_router_frames,
    reply_frames,
)


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        ([b"id", b"", b"{}"], Incoming(Envelope(b"id", True), b"{}")),  # REQ, REQ-style DEALER
        ([b"id", b"{}"], Incoming(Envelope(b"id", False), b"{}")),  # bare DEALER
        ([b"id", b"", b""], Incoming(Envelope(b"id", True), b"")),  # REQ with an empty body
    ],
)
def test_well_formed_messages(frames: list[bytes], expected: Incoming) -> None:
    assert parse_router_frames(frames) == expected


@pytest.mark.parametrize(
    ("frames", "envelope", "words"),
    [
        ([b"id"], Envelope(b"id", False), "no body"),
        ([b"id", b""], Envelope(b"id", False), "no body"),
        ([b"id", b"", b"a", b"b"], Envelope(b"id", True), "got 2"),
        ([b"id", b"a", b"b", b"c"], Envelope(b"id", False), "got 3"),
        ([b"id", b"", b"", b"x"], Envelope(b"id", True), "got 2"),
    ],
)
def test_malformed_frame_counts_keep_an_envelope_to_reply_to(
    frames: list[bytes], envelope: Envelope, words: str
) -> None:
    result = parse_router_frames(frames)
    assert isinstance(result, MalformedFrames)
    assert result.envelope == envelope
    assert result.can_reply
    assert result.frame_count == len(frames)
    assert words in result.reason


def test_no_frames_at_all_cannot_be_answered() -> None:
    result = parse_router_frames([])
    assert isinstance(result, MalformedFrames)
    assert not result.can_reply


def test_reply_frames_mirror_the_envelope() -> None:
    assert reply_frames(Envelope(b"id", True), b"r") == [b"id", b"", b"r"]
    assert reply_frames(Envelope(b"id", False), b"r") == [b"id", b"r"]


@given(
    routing_id=st.binary(min_size=1, max_size=8),
    body=st.binary(min_size=1, max_size=32),
    delimiter=st.booleans(),
)
def test_a_reply_goes_back_framed_as_the_request_came(
    routing_id: bytes, body: bytes, delimiter: bool
) -> None:
    frames = [routing_id, b"", body] if delimiter else [routing_id, body]
    result = parse_router_frames(frames)
    assert isinstance(result, Incoming)
    assert result.body == body
    # the reply layout equals the request layout: same routing id, same delimiter use
    assert reply_frames(result.envelope, body) == frames
