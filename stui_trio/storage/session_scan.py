"""Reading back one session: verify every version on disk, keep the newest good one.

:func:`scan_session` is the recovery half of the session store. It looks at the current file
and every numbered backup of one session, verifies each (header, length, SHA-256, format
version), moves damaged or unreadable ones to ``quarantine/`` and says so in plain words, and
picks the valid file with the highest generation (the current file wins a tie). It handles the
in-between states a kill can leave: a current file missing while backups exist, and a backup
newer than the current file. A file from a newer format version, or one larger than the
configured size limit, is reported and left alone (it is not damaged, just not for us).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

from .errors import FrameError, UnsupportedFormat
from .framing import Migrations, decode_frame, parse_header
from .fsops import FileSystemOps
from .names import QUARANTINE_DIR, split_session_name
from .quarantine import quarantine_file


@attrs.frozen
class Candidate:
    """A verified version of a session (index 0 is the current file, n the backup ``.n``)."""

    name: str
    index: int
    generation: int
    payload: bytes
    digest: str = attrs.field(default="", eq=False)  # the file's SHA-256, as verified


@attrs.frozen
class SessionScan:
    """Outcome of :func:`scan_session`."""

    best: Candidate | None
    problems: tuple[str, ...]
    bad_generations: tuple[int, ...]
    highest_generation: int  # over every header seen, good or bad

    def lost_after(self, generation: int) -> tuple[int, ...]:
        """Generations newer than ``generation`` that were on disk but damaged."""
        return tuple(sorted(g for g in self.bad_generations if g > generation))


def version_index(name: str, file_name: str) -> int | None:
    """0 if ``file_name`` is ``name``, n if it is backup ``name.n``, else None."""
    if file_name == name:
        return 0
    tail = file_name[len(name) + 1 :]
    if file_name.startswith(name + ".") and tail.isdigit() and not tail.startswith("0"):
        return int(tail)
    return None


def split_names(client_id: str, names: Iterable[str]) -> set[str]:
    """The session ids that the file names in a client folder belong to."""
    sessions = set()
    for name in names:
        parsed = split_session_name(client_id, name)
        if parsed is not None:
            sessions.add(parsed[0])
    return sessions


def scan_session(
    fs: FileSystemOps,
    folder: Path,
    name: str,
    migrations: Migrations,
    *,
    clock: Callable[[], float] = time.time,
    max_bytes: int | None = None,
) -> SessionScan:
    """Verify every version of session file ``name`` in ``folder`` (see module docstring)."""
    try:
        listing = fs.listdir(folder)
    except FileNotFoundError:
        listing = []
    versions = sorted(
        (index, file_name)
        for file_name in listing
        if (index := version_index(name, file_name)) is not None
    )
    valid: list[Candidate] = []
    problems: list[str] = []
    bad: list[int] = []
    highest = 0
    for index, file_name in versions:
        path = folder / file_name
        reason = ""
        data = b""
        try:
            size = fs.stat(path).st_size
            if max_bytes is not None and size > max_bytes:
                problems.append(f"{file_name}: {size} bytes is over the {max_bytes}-byte "
                                f"limit; left in place, not loaded")
                continue
            data = fs.read_bytes(path)
        except OSError as exc:
            reason = f"unreadable ({exc.strerror or exc})"
        if not reason:
            try:
                frame = decode_frame(data)
                highest = max(highest, frame.generation)
                frame = migrations.upgrade(frame)
            except UnsupportedFormat as exc:
                problems.append(f"{file_name}: {exc}; left in place")
                continue
            except FrameError as exc:
                reason = str(exc)
                try:
                    generation = parse_header(data).generation
                    bad.append(generation)
                    highest = max(highest, generation)
                except FrameError:
                    pass
            else:
                highest = max(highest, frame.generation)
                valid.append(Candidate(file_name, index, frame.generation, frame.payload,
                                       frame.digest))
                continue
        try:
            dest = quarantine_file(fs, path, clock=clock)
            problems.append(f"{file_name}: {reason}; moved to quarantine/{dest.name}")
        except OSError as exc:
            problems.append(f"{file_name}: {reason}; could not quarantine it ({exc})")
    highest = max(highest, _quarantined_generation(fs, folder, name))
    best = max(valid, key=lambda c: (c.generation, -c.index), default=None)
    if best is not None and best.index != 0:
        current = next((c for c in valid if c.index == 0), None)
        if current is not None:
            problems.append(
                f"backup {best.name} (generation {best.generation}) is newer than the current "
                f"file (generation {current.generation}); using the backup"
            )
        elif not any(v[0] == 0 for v in versions):
            problems.append(f"current file {name} is missing; using backup {best.name}")
    return SessionScan(best, tuple(problems), tuple(bad), highest)


def _quarantined_generation(fs: FileSystemOps, folder: Path, name: str) -> int:
    """Highest generation named by a readable header among quarantined versions of
    ``name``, so generation numbers are never reused after a restart."""
    highest = 0
    try:
        listing = fs.listdir(folder / QUARANTINE_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for file_name in listing:
        if not file_name.startswith(name + "."):
            continue
        try:
            data = fs.read_bytes(folder / QUARANTINE_DIR / file_name)
            highest = max(highest, parse_header(data).generation)
        except (OSError, FrameError):
            continue
    return highest
