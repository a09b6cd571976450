"""Checkpoints and replay: making the journal's promises hold without the journal.

The journal (``journal.py``) makes a save durable; the session file of that save is written
later, by the checkpoint (until then :meth:`SessionFileStore.load` answers the journaled
payload from memory). These two functions let the journal be cut short:

* :func:`checkpoint_round` (run by :class:`~stui_trio.storage.group_commit.DurableWriter`'s
  checkpointer every ``checkpoint_interval``, in a worker thread): under the journal lock,
  start a new segment and take the set of sessions journaled since the last round; write the
  newest journaled state of each as its file (one file per session, however many saves it
  had meanwhile: this is where a busy session's saves coalesce), fsync the files and folders;
  if that all succeeded, every record of the old segments is now in a durable file (or
  superseded by a newer record in a newer segment, or deleted), so the old segments are
  deleted. A session saved again after the segment boundary is written at its newest state;
  its record is in the newer segment, so nothing is lost either way.
* :func:`replay_journal` (at start, under the directory lock, before any load): read every
  segment (a torn or corrupt tail is quarantined and cut), take the newest record per session
  in journal order. A tombstone deletes the session's files. A save is written to its file,
  fsynced, as that generation, unless some file of the session *verifies* at that generation
  or newer (a killed server's last checkpoint may have written it already; a power cut may
  have torn it). Then every journaled session's files are synced and all segments deleted.
"""

from __future__ import annotations

import contextlib

import attrs

from .errors import FrameError, StorageError
from .framing import decode_frame
from .journal import DELETE, Journal, Record
from .names import client_dir, session_file_name, split_session_name
from .session_files import SaveRequest, SessionFileStore


@attrs.frozen
class CheckpointReport:
    """One round: sessions synced, failures (the segments were then kept), segments cut."""

    synced: int
    failed: tuple[str, ...] = ()
    dropped_through: int | None = None


@attrs.frozen
class ReplayReport:
    """What start-up replay found and did."""

    segments: int
    records: int
    applied: int
    deleted: int
    problems: tuple[str, ...]
    checkpoint: CheckpointReport


def checkpoint_round(files: SessionFileStore, journal: Journal) -> CheckpointReport:
    """Write the files of the sessions journaled since the last round, fsync them and their
    folders, then drop the segments before them."""
    with journal.checkpoint_lock:
        with journal.lock:
            last_old, dirty = journal.rotate()
        keys = sorted(dirty)
        failed = (*files.write_deferred(keys), *files.sync_files(keys))
        if failed:
            with journal.lock:  # sync them again next round; keep the segments till then
                journal.dirty |= dirty
            return CheckpointReport(len(dirty) - len(failed), failed, None)
        journal.drop_through(last_old)
        return CheckpointReport(len(dirty), (), last_old)


def replay_journal(files: SessionFileStore, journal: Journal) -> ReplayReport:
    """Bring the session files up to date with the journal (see the module docstring)."""
    segments = journal.replay_segments()
    newest: dict[tuple[str, str], Record] = {}
    problems: list[str] = []
    count = 0
    for segment in segments:
        count += len(segment.records)
        if segment.problem is not None:
            problems.append(
                f"journal segment {segment.number}: {segment.problem}; the tail was set "
                f"aside as {segment.quarantined}"
            )
        for record in segment.records:
            newest[(record.client_id, record.session_id)] = record
    applied = deleted = 0
    for (client_id, session_id), record in newest.items():
        try:
            if record.kind == DELETE:
                deleted += files.delete(client_id, session_id)
                continue
            if record.generation > _newest_valid(files, client_id, session_id):
                payload = files.render(record.payload)
                request = SaveRequest(client_id, session_id, payload, record.generation)
                (result,) = files.save_many([request])
                if isinstance(result, StorageError):
                    raise result
                applied += 1
        except StorageError as exc:
            problems.append(f"journal record of {client_id}/{session_id} not applied: {exc}")
            with journal.lock:
                journal.dirty.add((client_id, session_id))
    with journal.lock:
        journal.dirty.update(k for k, r in newest.items() if r.kind != DELETE)
    report = checkpoint_round(files, journal)
    return ReplayReport(len(segments), count, applied, deleted, tuple(problems), report)


def _newest_valid(files: SessionFileStore, client_id: str, session_id: str) -> int:
    """The highest generation among a session's files that verify. Read-only: damaged files
    are left for ``load`` to set aside and report."""
    folder = client_dir(files.root, client_id)
    name = session_file_name(client_id, session_id)
    try:
        names = files.fs.listdir(folder)
    except FileNotFoundError:
        return 0
    best = 0
    for n in names:
        parsed = split_session_name(client_id, n)
        if n != name and (parsed is None or parsed[0] != session_id):
            continue
        with contextlib.suppress(OSError, FrameError):
            best = max(best, decode_frame(files.fs.read_bytes(folder / n)).generation)
    return best


__all__ = ["CheckpointReport", "ReplayReport", "checkpoint_round", "replay_journal"]
