"""The write-ahead journal: one append and one fsync acknowledge a whole batch of saves.

Full durability used to cost a temp-file fsync and a folder fsync per saved session. With
the journal, :class:`~stui_trio.storage.group_commit.DurableWriter` appends every save of a
batch as a framed, checksummed record to ``<root>/.journal/wal-<n>.log`` with one write and
one fsync, and acknowledges the batch; the session files are written later, by the
checkpointer (``checkpoint.py``), which then deletes the older segments (section 2 of
``notes/persistence.md``: PostgreSQL's WAL and checkpoints). The folder name starts with a
dot, which no client id may, so it can never be mistaken for a client folder.

Each segment starts with a ``BOOT`` record holding the kernel's boot id (kept for
diagnosis: replay treats every record alike, writing it out unless a verified file already
holds its generation).

A record is::

    b"SJR1" | u32 body length | u32 crc32(body) | body
    body = u8 kind | u64 generation | u16 len(client) | u16 len(session) | client | session
           | payload

``kind`` is :data:`SAVE` or :data:`DELETE` (a tombstone, so replay never brings back a
session deleted after it was journaled). :func:`decode_records` returns the valid prefix of
a segment and stops at the first torn or corrupt record. :meth:`Journal.replay_segments`
reads every segment, copies a bad tail to ``.journal/quarantine/`` and truncates it; the
caller (``checkpoint.replay_journal``) brings the session files up to date and then calls
:meth:`Journal.drop_through` to delete the segments it no longer needs.

Every method blocks on disk I/O: call them from worker threads. ``lock`` serialises appends
with :meth:`rotate`, so the checkpointer can take its snapshot exactly at a segment boundary.
"""

from __future__ import annotations

import contextlib
import struct
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from .atomic import ensure_dir, sync_dir, write_all
from .errors import SaveFailed
from .fsops import FileSystemOps
from .quarantine import quarantine_bytes

JOURNAL_DIR = ".journal"
SAVE = 1
DELETE = 2
BOOT = 3
BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")
MAGIC = b"SJR1"
_HEAD = struct.Struct(">4sII")
_BODY = struct.Struct(">BQHH")
MAX_RECORD = 256 * 1024 * 1024


@attrs.frozen
class Record:
    """One journaled event: a session's new state (``SAVE``) or its deletion (``DELETE``)."""

    kind: int
    client_id: str
    session_id: str
    generation: int
    payload: bytes = b""


def encode_record(record: Record) -> bytes:
    """The bytes of ``record`` as appended to a segment."""
    client, session = record.client_id.encode(), record.session_id.encode()
    body = (
        _BODY.pack(record.kind, record.generation, len(client), len(session))
        + client + session + record.payload
    )
    return _HEAD.pack(MAGIC, len(body), zlib.crc32(body)) + body


def decode_records(data: bytes) -> tuple[list[Record], int, str | None]:
    """The valid records at the start of ``data``, the bytes they take, and what stopped
    the scan (None when ``data`` ended cleanly after a whole record)."""
    records: list[Record] = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < _HEAD.size:
            return records, pos, "torn record header"
        magic, length, crc = _HEAD.unpack_from(data, pos)
        if magic != MAGIC or length < _BODY.size or length > MAX_RECORD:
            return records, pos, "bad record header"
        start = pos + _HEAD.size
        body = data[start : start + length]
        if len(body) < length:
            return records, pos, "torn record"
        if zlib.crc32(body) != crc:
            return records, pos, "record checksum mismatch"
        kind, generation, lc, ls = _BODY.unpack_from(body, 0)
        ids_end = _BODY.size + lc + ls
        if kind not in (SAVE, DELETE, BOOT) or ids_end > length:
            return records, pos, "bad record body"
        try:
            client = body[_BODY.size : _BODY.size + lc].decode()
            session = body[_BODY.size + lc : ids_end].decode()
        except UnicodeDecodeError:
            return records, pos, "bad record ids"
        records.append(Record(kind, client, session, generation, bytes(body[ids_end:])))
        pos = start + length
    return records, pos, None


@attrs.frozen
class SegmentReplay:
    """What :meth:`Journal.replay_segments` read from one segment."""

    number: int
    records: tuple[Record, ...]  # SAVE and DELETE records, in order
    boot_id: str | None  # from the segment's BOOT record (None: none was written)
    problem: str | None = None
    quarantined: Path | None = None


def segment_name(number: int) -> str:
    return f"wal-{number:08d}.log"


def _segment_number(name: str) -> int | None:
    if name.startswith("wal-") and name.endswith(".log") and name[4:-4].isdigit():
        return int(name[4:-4])
    return None


class Journal:
    """The segments under ``<root>/.journal`` (see the module docstring)."""

    def __init__(
        self, root: Path, *, fs: FileSystemOps | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.fs = fs or FileSystemOps()
        self.folder = Path(root) / JOURNAL_DIR
        self.clock = clock
        self.lock = threading.Lock()
        self.checkpoint_lock = threading.Lock()  # one checkpoint round at a time
        ensure_dir(self.fs, self.folder)
        self._fd: int | None = None
        self._current = max(self.segments(), default=0)
        self.appended_bytes = 0
        self.appends = 0
        self.boot_id = current_boot_id()
        #: Sessions journaled since the last :meth:`rotate` (the checkpoint writes their files).
        self.dirty: set[tuple[str, str]] = set()

    @property
    def current(self) -> int:
        """The number of the segment appends go to (it may not exist yet)."""
        return self._current

    def segments(self) -> list[int]:
        """Numbers of the segment files on disk, oldest first."""
        numbers = (_segment_number(n) for n in self.fs.listdir(self.folder))
        return sorted(n for n in numbers if n is not None)

    def append(self, records: Sequence[Record]) -> None:
        """Append ``records`` with one write and one fsync; durable when this returns.

        Call with :attr:`lock` held. On failure the segment is abandoned (later appends go
        to a fresh one, so a torn batch never hides later records) and :class:`SaveFailed`
        is raised: none of the batch counts as durable.
        """
        data = b"".join(encode_record(r) for r in records)
        try:
            if self._fd is None:
                self._open_next()
            assert self._fd is not None
            write_all(self.fs, self._fd, data)
            self.fs.fsync(self._fd)  # never retried: a failed fsync abandons the segment
        except OSError as exc:
            self._abandon()
            raise SaveFailed(f"appending to the journal failed: {exc.strerror or exc}",
                             exc.errno) from exc
        self.appended_bytes += len(data)
        self.appends += 1

    def append_tombstone(self, client_id: str, session_id: str, generation: int) -> None:
        """Durably record that a session is being deleted (before its files go)."""
        with self.lock:
            self.append([Record(DELETE, client_id, session_id, generation)])

    def rotate(self) -> tuple[int, set[tuple[str, str]]]:
        """Send later appends to a new segment; return the number of the last old one and
        the sessions written since the previous rotation. Call with :attr:`lock` held."""
        self._abandon()
        dirty, self.dirty = self.dirty, set()
        return self._current, dirty

    def drop_through(self, number: int) -> None:
        """Delete every segment numbered ``number`` or lower, then fsync the folder."""
        doomed = [n for n in self.segments() if n <= number]
        for n in doomed:
            with contextlib.suppress(FileNotFoundError):
                self.fs.unlink(self.folder / segment_name(n))
        if doomed:
            sync_dir(self.fs, self.folder)

    def close(self) -> None:
        self._abandon()

    def replay_segments(self) -> list[SegmentReplay]:
        """Read every segment, oldest first. A segment's torn or corrupt tail is copied to
        ``.journal/quarantine/`` and cut off; later segments are still read (an append
        that failed abandons its segment, so a later segment holds newer, valid records)."""
        self._abandon()
        out = []
        for number in self.segments():
            path = self.folder / segment_name(number)
            data = self.fs.read_bytes(path)
            records, good, problem = decode_records(data)
            quarantined = None
            if problem is not None:
                quarantined = quarantine_bytes(
                    self.fs, path, "tail", data[good:], clock=self.clock
                )
                fd = self.fs.open_append(path)
                try:
                    self.fs.truncate(fd, good)
                    self.fs.fsync(fd)
                finally:
                    self.fs.close(fd)
            boot = next((r.payload.decode() for r in records if r.kind == BOOT), None)
            kept = tuple(r for r in records if r.kind != BOOT)
            out.append(SegmentReplay(number, kept, boot, problem, quarantined))
        return out

    def _open_next(self) -> None:
        self._current += 1
        self._fd = self.fs.open_append(self.folder / segment_name(self._current))
        sync_dir(self.fs, self.folder)  # the new segment's name must survive a power cut
        # Written with the first batch's records (one write, one fsync for both).
        write_all(self.fs, self._fd, encode_record(Record(BOOT, "", "", 0,
                                                          self.boot_id.encode())))

    def _abandon(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                self.fs.close(fd)


def current_boot_id() -> str:
    """The kernel's boot id ("" where there is none: every record then counts as from an
    earlier boot, the safe reading)."""
    try:
        return BOOT_ID_FILE.read_text().strip()
    except OSError:
        return ""


__all__ = [
    "BOOT", "DELETE", "JOURNAL_DIR", "SAVE", "Journal", "Record", "SegmentReplay", "decode_records",
    "encode_record",
]
