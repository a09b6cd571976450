"""Recipe e: power-loss simulation from the recorded operations of real saves.

Saves run for real through a recording seam. Afterwards, for every prefix of the recorded
operations we build the on-disk states a power cut at that point could leave (the ALICE /
CrashMonkey idea, in a simple model):

* file contents: what was fsynced is kept; later writes may be lost, kept, or kept in part;
* directory entries: the state at the folder's last fsync, plus any prefix of the creations,
  renames, links and unlinks made in it since (metadata journals keep their order).

Each state is written to a fresh folder and loaded with the production loader, which must
always find a valid version whose generation is at least the last acknowledged one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from stui_trio.storage import FileSystemOps, SessionFileStore

Op = tuple[Any, ...]


class RecordingOps(FileSystemOps):
    """The real operations, plus a log of the ones that change what is on disk."""

    def __init__(self) -> None:
        self.log: list[Op] = []
        self._paths: dict[int, Path] = {}

    def open_exclusive(self, path: Path) -> int:
        fd = super().open_exclusive(path)
        self._paths[fd] = path
        self.log.append(("create", path))
        return fd

    def write(self, fd: int, data: memoryview) -> int:
        n = super().write(fd, data)
        self.log.append(("write", self._paths[fd], bytes(data[:n])))
        return n

    def fsync(self, fd: int) -> None:
        super().fsync(fd)
        self.log.append(("fsync", self._paths[fd]))

    def close(self, fd: int) -> None:
        super().close(fd)
        self._paths.pop(fd, None)

    def replace(self, src: Path, dst: Path) -> None:
        super().replace(src, dst)
        self.log.append(("rename", src, dst))

    def link(self, src: Path, dst: Path) -> None:
        super().link(src, dst)
        self.log.append(("link", src, dst))

    def unlink(self, path: Path) -> None:
        super().unlink(path)
        self.log.append(("unlink", path))

    def fsync_dir(self, path: Path) -> None:
        super().fsync_dir(path)
        self.log.append(("fsync_dir", path))


class Model:
    """Names -> inodes, inode contents, and what of each is durable."""

    def __init__(self, folder: Path) -> None:
        self.names: dict[Path, int] = {}
        self.data: dict[int, bytes] = {}
        for name in os.listdir(folder):
            path = folder / name
            ino = os.stat(path).st_ino
            self.names[path] = ino
            self.data[ino] = path.read_bytes()
        self.durable_names = dict(self.names)
        self.durable_data = dict(self.data)
        self.pending: list[Op] = []  # directory operations since the last folder fsync
        self._next = -1

    def apply(self, op: Op) -> None:
        kind = op[0]
        if kind == "create":
            self._next -= 1
            self.data[self._next] = b""
            self.durable_data[self._next] = b""
            self._dir_op(("create", op[1], self._next))
        elif kind == "write":
            ino = self.names[op[1]]
            self.data[ino] += op[2]
        elif kind == "fsync":
            ino = self.names[op[1]]
            self.durable_data[ino] = self.data[ino]
        elif kind == "fsync_dir":
            self.durable_names = dict(self.names)
            self.pending = []
        else:
            self._dir_op(op if kind == "unlink" else (kind, op[1], op[2]))

    def _dir_op(self, op: Op) -> None:
        _apply_name_op(self.names, op)
        self.pending.append(op)

    def crash_states(self) -> list[dict[Path, bytes]]:
        states = []
        for keep in range(len(self.pending) + 1):
            names = dict(self.durable_names)
            for op in self.pending[:keep]:
                _apply_name_op(names, op)
            for variant in ("durable", "all", "half"):
                states.append({p: self._content(ino, variant) for p, ino in names.items()})
        return states

    def _content(self, ino: int, variant: str) -> bytes:
        durable, volatile = self.durable_data[ino], self.data[ino]
        if variant == "durable":
            return durable
        if variant == "all":
            return volatile
        return volatile[: len(durable) + (len(volatile) - len(durable)) // 2]


def _apply_name_op(names: dict[Path, int], op: Op) -> None:
    kind = op[0]
    if kind == "create":
        names[op[1]] = op[2]
    elif kind == "rename":
        names[op[2]] = names.pop(op[1])
    elif kind == "link":
        names[op[2]] = names[op[1]]
    elif kind == "unlink":
        names.pop(op[1], None)


def test_power_cut_after_any_operation_keeps_the_last_acked_save(tmp_path: Path) -> None:
    live = tmp_path / "live"
    SessionFileStore(live, keep_backups=2).save("c", "s", b"generation 1 " * 300)
    folder = live / "c"
    model = Model(folder)
    ops = RecordingOps()
    store = SessionFileStore(live, keep_backups=2, fs=ops)
    acks: list[tuple[int, int]] = []  # (number of ops when the save returned, generation)
    for gen in (2, 3, 4):
        result = store.save("c", "s", f"generation {gen} ".encode() * 300)
        acks.append((len(ops.log), result.generation))
    checked = 0
    for n in range(len(ops.log) + 1):
        if n:
            model.apply(ops.log[n - 1])
        last_acked = max((g for count, g in acks if count <= n), default=1)
        for state in model.crash_states():
            root = tmp_path / f"state{checked}"
            (root / "c").mkdir(parents=True)
            for path, content in state.items():
                (root / "c" / path.name).write_bytes(content)
            loaded = SessionFileStore(root, keep_backups=2).load("c", "s")
            assert loaded is not None and loaded.payload is not None, (n, ops.log[:n])
            assert loaded.generation >= last_acked, (n, last_acked, loaded)
            assert loaded.payload == f"generation {loaded.generation} ".encode() * 300
            checked += 1
    assert checked > 100


class NoFsyncRecording(RecordingOps):
    """A saver that forgot to fsync its temp files (the fsync is not recorded)."""

    def fsync(self, fd: int) -> None:
        FileSystemOps.fsync(self, fd)


def run_simulation(tmp_path: Path, ops: RecordingOps) -> tuple[int, int]:
    """Record three saves through ``ops``; return (states checked, states that lost data)."""
    live = tmp_path / "live"
    SessionFileStore(live, keep_backups=2).save("c", "s", b"generation 1 " * 300)
    model = Model(live / "c")
    store = SessionFileStore(live, keep_backups=2, fs=ops)
    acks = []
    for _ in range(3):
        gen = store.save("c", "s", b"x").generation  # payload rewritten below
        acks.append((len(ops.log), gen))
    checked = lost = 0
    for n in range(len(ops.log) + 1):
        if n:
            model.apply(ops.log[n - 1])
        last_acked = max((g for count, g in acks if count <= n), default=1)
        for state in model.crash_states():
            root = tmp_path / f"neg{checked}"
            (root / "c").mkdir(parents=True)
            for path, content in state.items():
                (root / "c" / path.name).write_bytes(content)
            loaded = SessionFileStore(root, keep_backups=2).load("c", "s")
            checked += 1
            if loaded is None or loaded.payload is None or loaded.generation < last_acked:
                lost += 1
    return checked, lost


def test_the_simulation_catches_a_saver_without_fsync(tmp_path: Path) -> None:
    checked, lost = run_simulation(tmp_path / "bad", NoFsyncRecording())
    assert lost > 0
    checked, lost = run_simulation(tmp_path / "good", RecordingOps())
    assert checked > 100 and lost == 0
