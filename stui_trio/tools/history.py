"""A session's evaluation history: what was evaluated, what it answered, newest last, bounded.

Like a Playground's history pane: each evaluation (successful or not) is recorded with its
source, the print string (or error description) and when it ran. The history is part of the
session's persisted state, so it is bounded by the configured `capacity`.

Entries are kept in their JSON form (plain dicts of strings, numbers and booleans), the form
every save writes: a save then writes the same dicts again instead of building new ones, and
CPython's garbage collector never has to scan them (a dict holding only such values is not
tracked). With 1,000 busy sessions that is the difference between collector pauses of
milliseconds and of tens of milliseconds. `HistoryEntry` names (and checks) the fields.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import attrs


@attrs.frozen
class HistoryEntry:
    seq: int
    code: str
    result: str
    result_type: str | None
    has_error: bool
    at: str  # ISO 8601 UTC timestamp

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "code": self.code, "result": self.result,
                "result_type": self.result_type, "has_error": self.has_error, "at": self.at}


class History:
    """A bounded list of entries, numbered from 1."""

    def __init__(self, capacity: int, entries: Iterable[Mapping[str, Any]] = ()) -> None:
        """`entries`: JSON forms (as `latest_json` gives them), oldest first."""
        if capacity < 1:
            raise ValueError("history capacity must be at least 1")
        self._entries: deque[dict[str, Any]] = deque(
            (HistoryEntry(**e).to_json() for e in entries), maxlen=capacity
        )
        self._last_seq = self._entries[-1]["seq"] if self._entries else 0

    def record(
        self, code: str, result: str, result_type: str | None, has_error: bool, at: str
    ) -> int:
        """Add an entry; answers its number."""
        self._last_seq += 1
        self._entries.append({"seq": self._last_seq, "code": code, "result": result,
                              "result_type": result_type, "has_error": has_error, "at": at})
        return self._last_seq

    def latest_json(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The newest `limit` entries (all when None), oldest first, in JSON form: the stored
        dicts themselves, which callers must not change."""
        entries = list(self._entries)
        return entries if limit is None else entries[max(0, len(entries) - limit):]
