"""Journaled saves whose session files are not written yet, indexed by client.

With the write-ahead journal, a save is acknowledged once it is in the journal; its file is
written at the next checkpoint (``checkpoint.py``). Until then the
:class:`~stui_trio.storage.session_files.SessionFileStore` answers loads and listings from
here, and counts these bytes against the client's disk quota. Every save asks for its
client's total, so the index is per client and keeps running totals (a scan over every
client's pending saves per save would cost more than the save at a thousand clients).
Thread-safe: the writer, the checkpointer and loads run in different worker threads.
"""

from __future__ import annotations

import threading

#: (payload, generation) of one session's newest journaled save.
Entry = tuple[bytes, int]
Key = tuple[str, str]


class DeferredSaves:
    """The newest journaled, not yet written, save of each session."""

    def __init__(self, overhead: int = 0) -> None:
        self._lock = threading.Lock()
        self._by_client: dict[str, dict[str, Entry]] = {}
        self._bytes: dict[str, int] = {}
        self._overhead = overhead  # bytes a file adds to its payload (the header)

    def get(self, key: Key) -> Entry | None:
        client, session = key
        with self._lock:
            return self._by_client.get(client, {}).get(session)

    def put(self, key: Key, payload: bytes, generation: int) -> None:
        client, session = key
        with self._lock:
            sessions = self._by_client.setdefault(client, {})
            old = sessions.get(session)
            sessions[session] = (payload, generation)
            self._bytes[client] = (
                self._bytes.get(client, 0) + self._size(payload)
                - (self._size(old[0]) if old is not None else 0)
            )

    def drop(self, key: Key, entry: Entry | None = None) -> bool:
        """Forget the session's pending save (only if it is still ``entry``, when given);
        True if one was dropped."""
        client, session = key
        with self._lock:
            sessions = self._by_client.get(client, {})
            found = sessions.get(session)
            if found is None or (entry is not None and found is not entry):
                return False
            del sessions[session]
            self._bytes[client] -= self._size(found[0])
            if not sessions:
                del self._by_client[client], self._bytes[client]
            return True

    def sessions_of(self, client: str) -> set[str]:
        with self._lock:
            return set(self._by_client.get(client, ()))

    def bytes_of(self, client: str, *, besides: str | None = None) -> int:
        """What the client's pending saves will take on disk (about), not counting session
        ``besides`` (the one being saved again)."""
        with self._lock:
            total = self._bytes.get(client, 0)
            other = self._by_client.get(client, {}).get(besides) if besides else None
            return total - (self._size(other[0]) if other is not None else 0)

    def _size(self, payload: bytes) -> int:
        return len(payload) + self._overhead


__all__ = ["DeferredSaves", "Entry"]
