"""Compacting the image change log: real images, real log files in tmp dirs, real processes.

A real image makes the changes (doits that define, redefine, compile, recompile, remove and
comment), a real ``ImageLog`` logs them to a file; then the log is replayed into a fresh image
before and after compaction and the two images must hold the same classes (superclass,
variables, class-side variables, package, comment) and the same method sources, both sides.
The offline ``--compact-changes`` and the lock refusal run ``python -m stui_trio`` as a
subprocess; the crash test SIGKILLs a compacting process at random moments and requires the
old log or the new one, byte for byte, every time.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from stui_trio.sessions.change_compaction import LoggedChange, plan_compaction
from stui_trio.sessions.image_log import (
    ImageLog,
    compact_change_log,
    decode_change,
    encode_change,
)
from stui_trio.smalltalk import Image, ImageChange
from stui_trio.storage.image_changes import ChangeLog, parse_entries
from stui_trio.storage.lock import DirectoryLock
from tests.conftest import REPO
from tests.persistence.support import Servers, create


def run(image: Any, code: str) -> str:
    outcome = image.evaluate(image.new_workspace(), code)
    assert outcome.kind == "success", (code, outcome.error_class, outcome.message_text)
    return outcome.print_string


def definition(name: str, superclass: str = "Object", ivars: str = "") -> str:
    return (f"{superclass} subclass: #{name} instanceVariableNames: '{ivars}' "
            f"classVariableNames: '' package: 'Compaction'")


#: A history with every kind of superseded entry (see the module docstring of
#: stui_trio/sessions/change_compaction.py): 50 compilations of one method, redefinitions
#: (one adds a variable after subclasses exist, one moves a class under a later class),
#: class-side variables, comments, removals, a removed-then-recompiled method, class-side
#: methods and an extension of a kernel class.
HISTORY = [
    definition("CpA", ivars="a"),
    *[f"CpA compile: 'value ^ {i}' classified: 'v{i % 3}'" for i in range(50)],
    definition("CpB", "CpA", "b"),
    "CpB compile: 'b ^ b' classified: 'acc'",
    "CpB compile: 'sum ^ a + b' classified: 'calc'",
    definition("CpA", ivars="a extra"),  # redefined after its subclass exists
    "CpA compile: 'extra ^ extra' classified: 'acc'",
    definition("CpC", ivars="c"),
    "CpC compile: 'gone ^ 1'",
    "CpC removeSelector: #gone",
    "CpC compile: 'back ^ 1'",
    "CpC removeSelector: #back",
    "CpC compile: 'back ^ 2' classified: 'again'",
    definition("CpD", ivars="d"),
    definition("CpC", "CpD", "c"),  # CpC moves under a class defined after it
    "CpC class instanceVariableNames: 'count'",
    "CpC class compile: 'count ^ count ifNil: [0]' classified: 'meta'",
    "CpC class instanceVariableNames: 'count total'",
    "CpC class compile: 'total ^ total' classified: 'meta'",
    "CpA comment: 'first comment'",
    "CpA comment: 'the comment that stays'",
    "Integer compile: 'cpTwice ^ self * 2' classified: '*Compaction'",
    "Integer compile: 'cpTwice ^ self + self' classified: '*Compaction'",
    "Integer compile: 'cpGone ^ 0'",
    "Integer removeSelector: #cpGone",
]


def snapshot(image: Any) -> dict[str, Any]:
    """What the change log can change in an image: every class that is not a kernel class,
    and every method that is not a kernel method (so kernel extensions count too)."""
    out: dict[str, Any] = {}
    for name, cls in sorted(image.globals.items()):
        if not hasattr(cls, "meta_of") or cls.meta_of is not None:
            continue
        methods = {}
        for side in (cls, cls.cls):
            for selector, method in side.methods.items():
                if (id(side), selector) not in image.kernel_selectors:
                    methods[(side is cls.cls, selector)] = (method.source, method.category)
        if name in image.kernel_classes:
            if methods:
                out[name] = {"methods": methods}
            continue
        out[name] = {
            "superclass": cls.superclass.name, "ivars": list(cls.ivars),
            "classvars": sorted(cls.classvars), "class_ivars": list(cls.cls.ivars),
            "package": cls.package, "kind": cls.kind, "comment": cls.comment,
            "methods": methods,
        }
    return out


async def record(path: Path, history: list[str]) -> Any:
    """Run ``history`` in a fresh image whose changes are logged to ``path``; the image."""
    image = Image.boot()
    image_log = ImageLog(path, image, compact_min_superseded=0)
    async with image_log.running():
        for code in history:
            run(image, code)
        await image_log.commit()
    return image


async def replay(path: Path, **options: Any) -> tuple[Any, ImageLog]:
    image = Image.boot()
    image_log = ImageLog(path, image, **options)
    async with image_log.running():
        pass
    return image, image_log


def entries_of(path: Path) -> list[dict[str, Any]]:
    entries, _, reason = parse_entries(path.read_bytes())
    assert reason == ""
    return [decode_change(e.payload) for e in entries]


async def test_replay_after_compaction_rebuilds_the_same_image(tmp_path: Path) -> None:
    path = tmp_path / "image.changes"
    live = await record(path, HISTORY)
    before_bytes = path.stat().st_size
    before = entries_of(path)
    full, _ = await replay(path, compact_min_superseded=0)
    assert snapshot(full) == snapshot(live)

    compacted_image, image_log = await replay(path, compact_min_superseded=1)
    result = image_log.compaction
    assert result is not None and result.compacted, result
    assert result.entries_before == len(before)
    after = entries_of(path)
    # 4 classes, CpC's class-side variables, CpA's comment, 8 methods (see HISTORY).
    assert result.entries_after == len(after) == 14
    assert result.bytes_after == path.stat().st_size < before_bytes // 3
    assert image_log.stats()["image_change_log_compaction"]["entries_after"] == len(after)
    assert snapshot(compacted_image) == snapshot(live)  # replayed, then compacted

    again, image_log = await replay(path, compact_min_superseded=1)
    assert image_log.skipped == [] and image_log.replayed == len(after)
    assert snapshot(again) == snapshot(live)  # replayed from the compacted log
    assert image_log.compaction is not None and not image_log.compaction.compacted
    assert run(again, "(CpB new instVarNamed: 'a' put: 3; instVarNamed: 'b' put: 4; "
                      "yourself) sum") == "7"
    assert run(again, "CpC superclass name") == "#CpD"
    assert run(again, "CpC count") == "0"
    assert run(again, "21 cpTwice") == "42"


async def test_compacted_order_defines_superclasses_first(tmp_path: Path) -> None:
    path = tmp_path / "image.changes"
    await record(path, HISTORY)
    compact_change_log(path)
    kinds = [(e["kind"], e["class_name"], e["selector"]) for e in entries_of(path)]
    defined = [name for kind, name, _ in kinds if kind == "define_class"]
    # Each class once, superclass first: CpA before CpB, CpD before CpC (moved under it).
    assert defined.index("CpA") < defined.index("CpB")
    assert defined.index("CpD") < defined.index("CpC")
    first_method = min(i for i, (kind, _, _) in enumerate(kinds) if kind == "compile_method")
    last_definition = max(i for i, (kind, _, _) in enumerate(kinds) if kind == "define_class")
    assert last_definition < first_method
    methods = [(name, sel) for kind, name, sel in kinds if kind == "compile_method"]
    assert methods.count(("CpA", "value")) == 1
    assert ("CpC", "gone") not in methods and ("Integer", "cpGone") not in methods
    assert not any(kind == "remove_method" for kind, _, _ in kinds)
    sources = [e["source"] for e in entries_of(path) if e["selector"] == "value"]
    assert sources == ["value ^ 49"]


def test_a_torn_last_entry_is_dropped_before_compacting(tmp_path: Path) -> None:
    path = tmp_path / "image.changes"
    log = ChangeLog.open(path)
    define = ImageChange("define_class", "CpT", source=definition("CpT"))
    log.append(encode_change(define))
    for i in range(10):
        log.append(encode_change(ImageChange("compile_method", "CpT", "m", f"m ^ {i}", "c")))
    whole = path.read_bytes()
    path.write_bytes(whole[:-9])  # the last compilation (m ^ 9) is torn
    result, repair = compact_change_log(path)
    assert repair is not None and "entry 11 is truncated" in repair
    assert result.compacted and result.entries_before == 10 and result.entries_after == 2
    assert [e["source"] for e in entries_of(path)][1] == "m ^ 8"
    assert list((tmp_path / "quarantine").iterdir())


def test_what_it_does_not_understand_is_never_compacted(tmp_path: Path) -> None:
    def change(seq: int, fields: dict[str, Any] | None) -> LoggedChange:
        return LoggedChange(seq, b"x", fields)

    compile_ = {"kind": "compile_method", "class_name": "Object", "selector": "m",
                "source": "m", "category": "", "meta": False}
    assert plan_compaction([change(1, compile_), change(2, compile_)]).superseded == 1
    for odd in (None, {**compile_, "kind": "rename_class"},
                {**compile_, "kind": "define_class", "source": "Smalltalk at: #X put: 3"}):
        plan = plan_compaction([change(1, compile_), change(2, compile_), change(3, odd)])
        assert plan.refused and plan.superseded == 0 and plan.keep == ()
    loop = [change(i, {**compile_, "kind": "define_class", "class_name": name,
                       "source": definition(name, sup)})
            for i, (name, sup) in enumerate([("CpX", "Object"), ("CpY", "CpX"),
                                             ("CpX", "CpY")])]
    assert "cycle" in plan_compaction(loop).refused


async def test_threshold_decides_at_start_and_appends_continue(tmp_path: Path) -> None:
    path = tmp_path / "image.changes"
    await record(path, HISTORY)
    size = path.stat().st_size
    _, image_log = await replay(path, compact_min_superseded=0)  # 0: never
    assert image_log.compaction is None and path.stat().st_size == size
    _, image_log = await replay(path, compact_min_superseded=10_000)  # not enough superseded
    assert image_log.compaction is not None and not image_log.compaction.compacted
    assert path.stat().st_size == size
    assert image_log.stats()["image_change_log_compaction"] is None

    image = Image.boot()
    image_log = ImageLog(path, image, compact_min_superseded=20)
    async with image_log.running():
        assert image_log.compaction is not None and image_log.compaction.compacted
        run(image, "CpA compile: 'value ^ 100' classified: 'after'")
        await image_log.commit()
    again, _ = await replay(path)
    assert run(again, "CpA new value") == "100"
    seqs = [e.seq for e in parse_entries(path.read_bytes())[0]]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # numbering continues


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stui_trio", *args], cwd=REPO, capture_output=True, text=True,
        timeout=60, env={"PATH": "/usr/bin:/bin", "STUI_LOG_LEVEL": "WARNING"},
    )


async def test_cli_compacts_and_refuses_a_locked_directory(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    path = sessions / "image.changes"
    live = await record(path, HISTORY)
    size = path.stat().st_size

    with DirectoryLock.acquire(sessions):  # as a running server holds it
        refused = cli("--sessions-dir", str(sessions), "--compact-changes")
    assert refused.returncode == 2, refused
    assert "is locked by process" in refused.stderr and "stop that server" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert path.stat().st_size == size

    done = cli("--sessions-dir", str(sessions), "--compact-changes")
    assert done.returncode == 0, done
    assert "change log compacted" in done.stdout and f"{size} ->" in done.stdout
    assert path.stat().st_size < size
    image, _ = await replay(path)
    assert snapshot(image) == snapshot(live)

    nothing = cli("--sessions-dir", str(sessions), "--compact-changes")
    assert nothing.returncode == 0 and "not compacted: 0 of" in nothing.stdout, nothing


#: The compacting child. Its writes go out 64 KiB at a time with a 2 ms pause (a slow disk),
#: so the kills land inside the write of the new file, not only before or after it; it says
#: "writing" when the first byte of the new file is about to be written.
CHILD = """
import sys, time
from pathlib import Path
from stui_trio.sessions.image_log import compact_change_log
from stui_trio.storage.fsops import FileSystemOps
real_write = FileSystemOps.write
started = []
def slow_write(self, fd, data):
    if not started:
        started.append(1)
        print("writing", flush=True)
    time.sleep(0.002)
    return real_write(self, fd, data[:65536])
FileSystemOps.write = slow_write
print("ready", flush=True)
compact_change_log(Path(sys.argv[1]))
print("done", flush=True)
"""
#: When the kills come, as fractions of the time from "writing" to "done" (round 0 measures).
KILL_AT = (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.1, 1.5)


def big_log(path: Path) -> None:
    """A log whose compacted form is still large (so the write takes a while): 1500 methods
    of ~1 KiB source, each compiled twice."""
    log = ChangeLog.open(path)
    payloads = [encode_change(ImageChange("define_class", "CpK", source=definition("CpK")))]
    for round_ in range(2):
        for i in range(1500):
            source = f"m{i} ^ '{round_}{'x' * 1000}'"
            payloads.append(encode_change(ImageChange("compile_method", "CpK", f"m{i}",
                                                      source, "c")))
    log.append_many(payloads)


@pytest.mark.timeout(60)
def test_kill9_during_compaction_leaves_old_or_new_log(tmp_path: Path) -> None:
    original = tmp_path / "original.changes"
    big_log(original)
    expected = tmp_path / "expected" / "image.changes"
    expected.parent.mkdir()
    shutil.copyfile(original, expected)
    compact_change_log(expected)
    old_bytes, new_bytes = original.read_bytes(), expected.read_bytes()
    assert len(new_bytes) < len(old_bytes)

    work = tmp_path / "sessions" / "image.changes"
    work.parent.mkdir()
    outcomes: list[str] = []
    window = 0.0
    for round_, fraction in enumerate((None, *KILL_AT)):
        shutil.copyfile(original, work)
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(work)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n"
            assert proc.stdout.readline() == "writing\n"
            started = time.monotonic()
            if fraction is None:  # round 0 runs to the end and measures the write
                assert proc.stdout.readline() == "done\n"
                window = time.monotonic() - started
            else:
                time.sleep(window * fraction)
                proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        data = work.read_bytes()
        assert data in (old_bytes, new_bytes), (round_, len(data))
        outcomes.append("new" if data == new_bytes else "old")
        reopened = ChangeLog.open(work)  # the owner's next start: no repair, no temp left
        assert reopened.repair is None
        assert [p.name for p in work.parent.iterdir() if ".tmp-" in p.name] == []
    assert outcomes[0] == "new" and "old" in outcomes, outcomes


def test_a_server_compacts_at_start_past_its_threshold(start_server, tmp_path: Path) -> None:
    servers = Servers(start_server, tmp_path / "sessions", "--change-log-compact-min-superseded",
                      "10")
    servers.start()
    with servers.client("erin") as c:
        sid = create(c)
        c.ok("define_class", parameters={"session_id": sid, "definition": definition("CpS")})
        for i in range(12):
            c.ok("compile_method", parameters={"session_id": sid, "class_name": "CpS",
                                               "source": f"n ^ {i}", "category": "demo"})
        assert c.ok("system_info")["image"]["image_change_log_compaction"] is None
    servers.kill9()
    size = (tmp_path / "sessions" / "image.changes").stat().st_size

    servers.start()
    with servers.client("erin") as c:
        info = c.ok("system_info")["image"]
        assert info["image_changes_replayed"] == 13
        compaction = info["image_change_log_compaction"]
        assert compaction["entries_before"] == 13 and compaction["entries_after"] == 2
        assert compaction["bytes_before"] == size > compaction["bytes_after"]
        sid = create(c)
        reply = c.ok("evaluate", parameters={"session_id": sid, "code": "CpS new n"})
        assert reply["result"] == "11"
