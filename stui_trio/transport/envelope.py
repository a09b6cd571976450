"""Envelopes: who sent a ROUTER message, how, and how to address the reply the same way.

A ROUTER socket prefixes every incoming message with the sender's routing id. What follows
depends on the peer's socket type:

=====================  ==================================  =====================================
peer                   frames the ROUTER receives          reply frames the ROUTER must send
=====================  ==================================  =====================================
REQ                    ``[id, b"", body]``                 ``[id, b"", reply]``
DEALER, REQ-style      ``[id, b"", body]``                 ``[id, b"", reply]``
DEALER, bare           ``[id, body]``                      ``[id, reply]``
=====================  ==================================  =====================================

:func:`parse_router_frames` turns the frames into an :class:`Incoming` (an :class:`Envelope`
and one body frame) or, when the frame count is wrong, a :class:`MalformedFrames` that still
carries the envelope, so the server can answer ``InvalidRequest`` to the peer.
:func:`reply_frames` builds the reply mirroring the envelope the peer used.

Ambiguity, resolved: ``[id, b""]`` (a DEALER sending one empty frame: a bare empty body, or a
delimiter with nothing after it) is ``MalformedFrames`` ("no body"), with an envelope without
delimiter: one frame came, one frame goes back. ``[id, b"", b""]`` (a REQ sending an empty body)
is an ``Incoming`` with an empty body, which the protocol layer rejects as not JSON.

Peers behind a ROUTER-DEALER proxy (several routing frames) are not supported: their extra
routing frames show up as extra body frames, and they get ``MalformedFrames``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class Envelope:
    """How to address a reply: the peer's routing id and whether it used a delimiter frame."""

    routing_id: bytes
    has_delimiter: bool


@attrs.frozen
class Incoming:
    """One well-formed request: its envelope and its single body frame."""

    envelope: Envelope
    body: bytes


@attrs.frozen
class MalformedFrames:
    """A message whose frame layout is wrong (no body frame, or several).

    ``envelope`` is None only when not even a routing id was present (a ROUTER never delivers
    that); otherwise a reply is possible and should say ``InvalidRequest`` with ``reason``.
    """

    envelope: Envelope | None
    frame_count: int
    reason: str

    @property
    def can_reply(self) -> bool:
        return self.envelope is not None


def parse_router_frames(frames: Sequence[bytes]) -> Incoming | MalformedFrames:
    """Split the frames a ROUTER received into envelope and body (see the module table)."""
    count = len(frames)
    if count == 0:
        return MalformedFrames(None, 0, "empty message: no routing id")
    routing_id = bytes(frames[0])
    if count == 1:
        return MalformedFrames(
            Envelope(routing_id, has_delimiter=False), 1, "no body frame after the routing id"
        )
    if count == 2 and frames[1] == b"":
        return MalformedFrames(
            Envelope(routing_id, has_delimiter=False), 2, "no body: the message is one empty frame"
        )
    has_delimiter = count >= 3 and frames[1] == b""
    envelope = Envelope(routing_id, has_delimiter)
    body_frames = frames[2:] if has_delimiter else frames[1:]
    if len(body_frames) != 1:
        return MalformedFrames(
            envelope,
            count,
            f"expected one body frame, got {len(body_frames)}: a request is one JSON "
            "object in a single frame",
        )
    return Incoming(envelope, bytes(body_frames[0]))


def reply_frames(envelope: Envelope, body: bytes) -> list[bytes]:
    """The frames that send ``body`` back to the peer of ``envelope``, mirroring its layout."""
    if envelope.has_delimiter:
        return [envelope.routing_id, b"", body]
    return [envelope.routing_id, body]
