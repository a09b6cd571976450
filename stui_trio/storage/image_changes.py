"""The image change log: an append-only file of checksummed change records.

Every class definition, method compilation and removal a client makes is appended here (the
payload is the STON text of the change; this module treats it as opaque bytes) and the log is
replayed at start-up, before any session is restored, so user classes exist again when
workspace objects that are their instances come back. This is the Smalltalk ``.changes`` /
Epicea idea with the two things those lack: a checksum per entry and an fsync per append.

File layout::

    #stui-changes 1\\n                                    file header (format version)
    #chg seq=<n> len=<bytes> sha256=<hex>\\n<payload>\\n   one entry, repeated

Sequence numbers increase by one from entry to entry (also across :meth:`ChangeLog.compact`,
so a snapshot may remember "the last seq I include"). :meth:`ChangeLog.open` scans the file
and stops at the first entry whose header, length, digest, terminator or sequence number is
wrong: that entry and everything after it (a torn tail from a crash, or damage) is copied to
``quarantine/`` and truncated away, and :attr:`ChangeLog.repair` says what was dropped. The
prefix before it is kept. Appends are written and fsynced before :meth:`ChangeLog.append`
returns; :meth:`ChangeLog.append_many` shares one fsync among many entries (group commit). A
failed append truncates the file back to its previous length, so the log never keeps a torn
entry it did not acknowledge. :meth:`ChangeLog.compact` atomically replaces the whole file with
the entries still needed (chosen by ``sessions/change_compaction.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from .atomic import TEMP_MARKER, atomic_write, ensure_dir, write_all
from .errors import FrameError, SaveFailed
from .fsops import FileSystemOps
from .quarantine import quarantine_bytes

FILE_HEADER = b"#stui-changes 1\n"
_ENTRY = re.compile(rb"#chg seq=([0-9]{1,19}) len=([0-9]{1,19}) sha256=([0-9a-f]{64})\n")
_MAX_ENTRY_HEADER = 120


@attrs.frozen
class ChangeEntry:
    """One verified entry: its sequence number, payload, and byte offset in the file."""

    seq: int
    payload: bytes
    offset: int


@attrs.frozen
class TailRepair:
    """What :meth:`ChangeLog.open` cut off: from ``offset`` to the old end of file."""

    offset: int
    dropped_bytes: int
    reason: str
    quarantined_to: Path | None
    kept_entries: int

    def describe(self) -> str:
        where = f"copied to {self.quarantined_to}" if self.quarantined_to else "not copied"
        return (
            f"change log damaged at byte {self.offset} ({self.reason}); kept "
            f"{self.kept_entries} entries, dropped {self.dropped_bytes} bytes ({where})"
        )


def encode_entry(seq: int, payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).hexdigest()
    return f"#chg seq={seq} len={len(payload)} sha256={digest}\n".encode() + payload + b"\n"


def parse_entries(data: bytes) -> tuple[list[ChangeEntry], int, str]:
    """Verified entries of a whole log file, the offset where verification stopped, and why
    (empty reason when the whole file verified)."""
    if not data.startswith(FILE_HEADER):
        return [], 0, "missing or damaged file header"
    entries: list[ChangeEntry] = []
    offset = len(FILE_HEADER)
    while offset < len(data):
        end = data.find(b"\n", offset, offset + _MAX_ENTRY_HEADER)
        match = _ENTRY.fullmatch(data, offset, end + 1) if end >= 0 else None
        if match is None:
            return entries, offset, "torn or damaged entry header"
        seq, length = int(match.group(1)), int(match.group(2))
        start = end + 1
        payload = data[start : start + length]
        if len(payload) < length or data[start + length : start + length + 1] != b"\n":
            return entries, offset, f"entry {seq} is truncated"
        if hashlib.sha256(payload).hexdigest().encode() != match.group(3):
            return entries, offset, f"entry {seq} fails its checksum"
        if entries and seq != entries[-1].seq + 1:
            return entries, offset, f"entry {seq} breaks the sequence after {entries[-1].seq}"
        entries.append(ChangeEntry(seq, payload, offset))
        offset = start + length + 1
    return entries, offset, ""


class ChangeLog:
    """An open change log; create with :meth:`open` (see module docstring)."""

    def __init__(self, path: Path, fs: FileSystemOps, size: int, next_seq: int) -> None:
        self.path = path
        self.fs = fs
        self.repair: TailRepair | None = None
        self._size = size
        self._next_seq = next_seq
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, path: Path, *, fs: FileSystemOps | None = None,
        clock: Callable[[], float] = time.time,
    ) -> ChangeLog:
        """Open (creating if missing) and verify the log; cut off a damaged tail.

        Only the owner of the directory (holding ``lock.py``'s lock) may open the log: opening
        truncates whatever does not verify, including another writer's append in flight.
        Read-only inspection uses :func:`parse_entries` on the file's bytes.
        """
        fs = fs or FileSystemOps()
        path = Path(path)
        ensure_dir(fs, path.parent)
        _remove_own_temps(fs, path)
        try:
            data = fs.read_bytes(path)
        except FileNotFoundError:
            atomic_write(fs, path, FILE_HEADER)
            return cls(path, fs, len(FILE_HEADER), 1)
        entries, offset, reason = parse_entries(data)
        next_seq = entries[-1].seq + 1 if entries else 1
        log = cls(path, fs, len(data), next_seq)
        if reason:
            log.repair = log._cut_tail(data, offset, reason, len(entries), clock)
        return log

    def _cut_tail(
        self, data: bytes, offset: int, reason: str, kept: int, clock: Callable[[], float]
    ) -> TailRepair:
        bad = data[offset:]
        dest = quarantine_bytes(self.fs, self.path, "tail", bad, clock=clock) if bad else None
        if offset == 0:  # no usable file header: start a fresh file
            atomic_write(self.fs, self.path, FILE_HEADER)
            self._size = len(FILE_HEADER)
        else:
            self._truncate(offset)
        return TailRepair(offset, len(bad), reason, dest, kept)

    def _truncate(self, length: int) -> None:
        fd = self.fs.open_append(self.path)
        try:
            self.fs.truncate(fd, length)
            self.fs.fsync(fd)
        finally:
            self.fs.close(fd)
        self._size = length

    @property
    def size(self) -> int:
        """Bytes in the file (as this object last wrote or verified it)."""
        return self._size

    @property
    def next_seq(self) -> int:
        """The sequence number the next appended entry gets."""
        return self._next_seq

    def entries(self) -> Iterator[ChangeEntry]:
        """Every entry, read from disk and verified; FrameError if damaged since open."""
        data = self.fs.read_bytes(self.path)
        entries, _, reason = parse_entries(data)
        if reason:
            raise FrameError(f"change log {self.path} damaged since it was opened: {reason}")
        yield from entries

    def replay(self) -> Iterator[bytes]:
        """The payloads of every entry, oldest first."""
        for entry in self.entries():
            yield entry.payload

    def append(self, payload: bytes) -> int:
        """Durably append one entry; return its sequence number."""
        return self.append_many([payload])[0]

    def append_many(self, payloads: Iterable[bytes]) -> list[int]:
        """Durably append several entries with one write and one fsync (group commit)."""
        with self._lock:
            seqs, chunks = [], []
            for payload in payloads:
                seqs.append(self._next_seq + len(seqs))
                chunks.append(encode_entry(seqs[-1], payload))
            data = b"".join(chunks)
            try:
                fd = self.fs.open_append(self.path)
                try:
                    write_all(self.fs, fd, data)
                    self.fs.fsync(fd)
                finally:
                    self.fs.close(fd)
            except OSError as exc:
                self._undo_append()
                raise SaveFailed(
                    f"appending to change log {str(self.path)!r} failed: {exc.strerror or exc}",
                    exc.errno,
                ) from exc
            self._size += len(data)
            self._next_seq += len(seqs)
            return seqs

    def _undo_append(self) -> None:
        """Cut a partly written append off again, so no unacknowledged torn entry stays."""
        with contextlib.suppress(OSError):
            self._truncate(self._size)

    def compact(self, payloads: Iterable[bytes]) -> list[int]:
        """Atomically replace the whole log with ``payloads`` (numbering continues).

        The new file is written and fsynced beside the log, renamed over it and the directory
        fsynced (``atomic_write``): a crash at any point leaves the old log or the new one,
        never a mix; a temp file it leaves is removed by the next :meth:`open`. Which entries
        may be dropped is the caller's business (``sessions/change_compaction.py``)."""
        with self._lock:
            seqs, chunks = [], [FILE_HEADER]
            for payload in payloads:
                seqs.append(self._next_seq + len(seqs))
                chunks.append(encode_entry(seqs[-1], payload))
            data = b"".join(chunks)
            atomic_write(self.fs, self.path, data)
            self._size = len(data)
            self._next_seq += len(seqs)
            return seqs


def _remove_own_temps(fs: FileSystemOps, path: Path) -> None:
    """Delete temp files a compaction killed midway left next to the log (owner only)."""
    prefix = f".{path.name}{TEMP_MARKER}"
    try:
        names = fs.listdir(path.parent)
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(prefix):
            with contextlib.suppress(FileNotFoundError):
                fs.unlink(path.parent / name)


__all__ = ["ChangeEntry", "ChangeLog", "TailRepair", "encode_entry", "parse_entries"]
