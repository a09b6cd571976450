"""A session's own Transcript: what `Transcript show:` wrote, sequence-numbered and bounded.

Pharo has one Transcript for the whole image; here every session has its own, so that two
people working on one image never read each other's output. Entries are numbered from 1 in the
order they were written; a client that polls `get_transcript since: N` receives the entries
after N and the number to ask for next. The buffer is a ring: when it holds `capacity` entries
the oldest are dropped, and a reader that asks for something older learns how many it missed.
Entries are kept in their JSON form, as the history's are (see ``history.py`` for why).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import attrs


@attrs.frozen
class TranscriptEntry:
    seq: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "text": self.text}


@attrs.frozen
class TranscriptPage:
    entries: tuple[TranscriptEntry, ...]
    next: int
    missed: int  # entries after `since` that the ring had already dropped


class Transcript:
    """A bounded, sequence-numbered log of Transcript output for one session."""

    def __init__(self, capacity: int, entries: Iterable[Mapping[str, Any]] = ()) -> None:
        """`entries`: JSON forms (as `entries_json` gives them), oldest first."""
        if capacity < 1:
            raise ValueError("transcript capacity must be at least 1")
        self._entries: deque[dict[str, Any]] = deque(
            (TranscriptEntry(**e).to_json() for e in entries), maxlen=capacity
        )
        self._last_seq = self._entries[-1]["seq"] if self._entries else 0

    def write(self, text: str) -> int | None:
        """Append one chunk of output (as one evaluation produced it); return its number."""
        if not text:
            return None
        self._last_seq += 1
        self._entries.append({"seq": self._last_seq, "text": text})
        return self._last_seq

    def since(self, seq: int = 0, limit: int | None = None) -> TranscriptPage:
        """The entries numbered above `seq` (at most `limit`), oldest first."""
        selected = [e for e in self._entries if e["seq"] > seq]
        oldest_kept = self._entries[0]["seq"] if self._entries else self._last_seq + 1
        missed = max(0, oldest_kept - seq - 1) if seq < self._last_seq else 0
        if limit is not None:
            selected = selected[:limit]
        next_seq = selected[-1]["seq"] if selected else max(seq, self._last_seq)
        return TranscriptPage(tuple(TranscriptEntry(**e) for e in selected), next_seq, missed)

    def entries_json(self) -> list[dict[str, Any]]:
        """Every entry in JSON form: the stored dicts themselves, which callers must not
        change."""
        return list(self._entries)
