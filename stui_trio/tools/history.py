"""A session's evaluation history: what was evaluated, what it answered, newest last, bounded.

Like a Playground's history pane: each evaluation (successful or not) is recorded with its
source, the print string (or error description) and when it ran. The history is part of the
session's persisted state, so it is bounded by the configured `capacity`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
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
    """A bounded list of HistoryEntry, numbered from 1."""

    def __init__(self, capacity: int, entries: Iterable[HistoryEntry] = ()) -> None:
        if capacity < 1:
            raise ValueError("history capacity must be at least 1")
        self._entries: deque[HistoryEntry] = deque(entries, maxlen=capacity)
        self._last_seq = self._entries[-1].seq if self._entries else 0

    def record(
        self, code: str, result: str, result_type: str | None, has_error: bool, at: str
    ) -> HistoryEntry:
        self._last_seq += 1
        entry = HistoryEntry(self._last_seq, code, result, result_type, has_error, at)
        self._entries.append(entry)
        return entry

    def latest(self, limit: int | None = None) -> tuple[HistoryEntry, ...]:
        """The newest `limit` entries (all when None), oldest first."""
        entries = tuple(self._entries)
        return entries if limit is None else entries[max(0, len(entries) - limit):]
