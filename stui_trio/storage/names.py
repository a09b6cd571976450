"""Names on disk: validated ids and the file naming of the session store.

Layout under the sessions root (one folder per client, created on first save)::

    <root>/.lock                                   owner lock (see lock.py)
    <root>/<client_id>/session_<client_id>_<session_id>.ston      current version
    <root>/<client_id>/session_<client_id>_<session_id>.ston.1    newest backup
    <root>/<client_id>/session_<client_id>_<session_id>.ston.2    ... up to .K
    <root>/<client_id>/.session_..._.ston.tmp-<pid>-<hex>         temp file of a save in flight
    <root>/<client_id>/quarantine/<file name>.corrupt-<UTC stamp>  damaged files, kept as evidence

The seed names files ``session_<clientId>_<timestamp>.ston``. We keep its prefix but use the
session id where the seed had a timestamp, so a session keeps one stable name across saves
(a session id is free to contain a creation timestamp; the server chooses it). Backups are the
numbered suffixes ``.1`` (newest) to ``.K`` (oldest); the generation in each header, not the
number, decides which is newest. Because the client folder is known, the file name parses back
unambiguously even though ids may contain ``_``.

Ids are 1 to 64 characters of ``[A-Za-z0-9_.:-]``, not starting with ``.`` (so ``.`` and
``..``, hidden names and our own ``.lock``/temp names can never be an id). :func:`client_dir`
also resolves the path and checks it is a direct child of the root, which rejects a client
folder that was replaced by a symlink pointing elsewhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from .errors import InvalidName

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
QUARANTINE_DIR = "quarantine"
SUFFIX = ".ston"


def validate_id(kind: str, value: object) -> str:
    """Return ``value`` if it is a safe id, else raise :class:`InvalidName`."""
    if not isinstance(value, str) or not _ID.fullmatch(value) or value.startswith("."):
        raise InvalidName(
            f"invalid {kind} {value!r}: use 1-64 characters from A-Z a-z 0-9 _ . : - "
            f"not starting with '.'"
        )
    return value


def client_dir(root: Path, client_id: str) -> Path:
    """The folder of ``client_id`` under ``root``, checked to stay inside ``root``."""
    validate_id("client id", client_id)
    path = root / client_id
    if path.resolve().parent != root.resolve():
        raise InvalidName(f"client folder {str(path)!r} escapes the sessions root")
    return path


def session_file_name(client_id: str, session_id: str) -> str:
    """Name of the current file of a session (see the module docstring)."""
    validate_id("client id", client_id)
    validate_id("session id", session_id)
    return f"session_{client_id}_{session_id}{SUFFIX}"


def backup_name(current: str, index: int) -> str:
    """Name of backup number ``index`` (1 is the newest) of file ``current``."""
    return f"{current}.{index}"


def split_session_name(client_id: str, file_name: str) -> tuple[str, int] | None:
    """``(session_id, backup_index)`` for a current file (index 0) or backup; else None."""
    prefix = f"session_{client_id}_"
    if not file_name.startswith(prefix):
        return None
    rest = file_name[len(prefix) :]
    stem, dot, tail = rest.rpartition(".")
    if dot and tail.isdigit() and stem.endswith(SUFFIX) and not tail.startswith("0"):
        rest, index = stem, int(tail)
    else:
        index = 0
    if not rest.endswith(SUFFIX):
        return None
    session_id = rest[: -len(SUFFIX)]
    if not _ID.fullmatch(session_id) or session_id.startswith("."):
        return None
    return session_id, index


def utc_stamp(now: float) -> str:
    """A file-name-safe UTC timestamp, e.g. ``20261127T013000.123456Z``."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
