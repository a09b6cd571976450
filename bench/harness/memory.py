"""What the server costs: RSS and CPU time from /proc, session file sizes on disk."""

from __future__ import annotations

import os
from pathlib import Path

import attrs


def rss_kib(pid: int | None) -> int | None:
    """Resident set size of process ``pid`` in KiB (``VmRSS``), None if unknown or gone."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of process ``pid`` (all its threads), None if unknown."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: A session's current file (``<client_id>/session_<client_id>_<session_id>.ston``, see
#: ``stui_trio/storage/names.py``): its backups (``.ston.1`` ...), the write-ahead journal,
#: the change log and the lock file are not "a session file" and are not counted.
SESSION_FILE_GLOB = "*/session_*.ston"


@attrs.frozen
class SessionFiles:
    """Session files under the server's sessions dir: how many, total and largest size."""

    count: int
    total_bytes: int
    max_bytes: int
    mean_bytes: float

    @classmethod
    def scan(cls, directory: Path | None) -> SessionFiles | None:
        """None when there is no directory or no file in it (e.g. an in-memory store)."""
        if directory is None or not directory.is_dir():
            return None
        sizes = []
        for path in directory.glob(SESSION_FILE_GLOB):
            try:
                if path.is_file():
                    sizes.append(path.stat().st_size)
            except OSError:
                continue  # a file replaced while we looked (atomic rename): skip it
        if not sizes:
            return None
        return cls(len(sizes), sum(sizes), max(sizes), sum(sizes) / len(sizes))
