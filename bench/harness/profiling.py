"""Where the server spends its time under load: one saturation step, profiled.

With ``py-spy`` installed (a dev dependency), it attaches to an ordinary server process for
the load phase (``py-spy record --threads --nonblocking``, sampling, so the server runs at
nearly full speed) and reports the share of samples per thread, per leaf function (own time)
and per frame anywhere on the stack (inclusive). Without it, the server runs as
``python -m cProfile -o FILE -m stui_trio ...`` (it exits 0 on SIGTERM, so cProfile writes
its stats); cProfile slows the server several-fold and sees the main thread only, its times
being wall time (waiting in epoll shows up too). Either way the raw profile is saved next to
the report (``<timestamp>-py-spy.txt`` collapsed stacks, or ``-profile.txt``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import pstats
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from bench.harness.loadgen import StepConfig
from bench.harness.runner import StepResult, run_step
from bench.harness.servers import stui_server

TOP = 15


def py_spy() -> str | None:
    """The py-spy executable (next to this Python first, as in a venv), or None."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def _stamp(stamp: dt.datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H%M%SZ")


def _step_facts(step: StepResult) -> dict[str, Any]:
    return {"clients": step.config.clients, "requests": step.requests,
            "seconds": round(step.wall_seconds, 2), "throughput_rps": round(step.throughput, 1),
            "errors": step.error_count}


def profile_server(config: StepConfig, *, max_clients: int, processes: int,
                   results_dir: Path, stamp: dt.datetime) -> dict[str, Any]:
    results_dir.mkdir(parents=True, exist_ok=True)
    spy = py_spy()
    if spy is not None:
        return _with_py_spy(spy, config, max_clients, processes,
                            results_dir / f"{_stamp(stamp)}-py-spy.txt")
    return _with_cprofile(config, max_clients, processes,
                          results_dir / f"{_stamp(stamp)}-profile.txt")


# -- py-spy --------------------------------------------------------------------------------

def _with_py_spy(spy: str, config: StepConfig, max_clients: int, processes: int,
                 out: Path) -> dict[str, Any]:
    recorder: list[subprocess.Popen[bytes]] = []
    with stui_server(max_clients=max_clients) as server:
        def on_phase(phase: str) -> None:
            if phase == "running" and not recorder:
                recorder.append(subprocess.Popen(
                    [spy, "record", "--pid", str(server.pid), "--duration",
                     str(math.ceil(config.seconds)), "--rate", "200", "--format", "raw",
                     "--threads", "--nonblocking", "-o", str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))

        try:
            step = run_step(attrs.evolve(config, endpoint=server.endpoint),
                            server_pid=server.pid, sessions_dir=None, rss_base_kib=None,
                            processes=processes, on_phase=on_phase)
        finally:
            for proc in recorder:
                try:
                    _, err = proc.communicate(timeout=config.seconds + 30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    _, err = proc.communicate()
    if not out.exists():
        why = err.decode(errors="replace").strip()[-300:] if recorder else "never started"
        return {"tool": "py-spy", "note": f"py-spy recorded nothing: {why}"}
    return {"tool": "py-spy", **_step_facts(step), "file": out.name,
            **summarise_collapsed(out.read_text(encoding="utf-8"))}


#: Groups whose samples are a thread waiting for work, not doing any (py-spy cannot always
#: tell a thread blocked in a lock from a running one): counted per thread, left out of the
#: function tables.
IDLE_GROUPS = ("worker threads between jobs", "evaluation workers waiting for a job")


def _thread_group(frames: list[str]) -> str:
    """Group a sample by what its thread was doing: the Trio loop, an evaluation pool worker
    (``tools/evaluation_pool.py``; idle when it waits on its condition), or the job a Trio
    worker thread ran (the frame below ``to_thread``'s ``worker_fn``; thread names are
    unreliable, Trio renames a cached thread per job)."""
    if frames[0].split(": ", 1)[-1] == "MainThread":
        return "MainThread (the Trio loop)"
    if any(f.startswith("EvaluationPool._work") for f in frames):
        if frames[-1].startswith("Condition.wait"):
            return "evaluation workers waiting for a job"
        return "evaluation workers running a job"
    for i, frame in enumerate(frames[:-1]):
        if frame.startswith("to_thread_run_sync.<locals>.worker_fn"):
            return "worker threads running " + frames[i + 1].split(" (", 1)[0]
    return "worker threads between jobs"


def summarise_collapsed(text: str) -> dict[str, Any]:
    """Shares per thread group, and per leaf frame and per frame anywhere on the stack of
    the busy samples (not :data:`IDLE_GROUPS`), from py-spy's raw (collapsed) output:
    ``thread (id): name;frame;frame;... count`` per line. All shares are of all samples."""
    threads: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        group = _thread_group(frames)
        threads[group] += count
        if group in IDLE_GROUPS:
            continue
        body = [f for f in frames[1:] if not f.startswith(("Thread.", "<module>", "_run_code",
                                                           "run_module", "worker ("))]
        if body:
            own[body[-1]] += count
        for frame in set(body):
            inclusive[frame] += count

    def rows(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"function": name, "samples": n, "share": round(n / total, 3)}
                for name, n in counter.most_common(TOP)]

    return {"samples": total, "threads": rows(threads), "top_own": rows(own),
            "top_inclusive": rows(inclusive)}


# -- cProfile ------------------------------------------------------------------------------

def _cprofile_rows(stats: pstats.Stats, column: int) -> list[dict[str, Any]]:
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    ordered = sorted(table.items(), key=lambda kv: kv[1][column], reverse=True)
    rows = []
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in ordered[:TOP]:
        short = "/".join(Path(file).parts[-2:]) if file != "~" else ""
        rows.append({"function": f"{short}:{line}({func})" if short else func,
                     "calls": calls, "tottime_s": round(tottime, 3),
                     "cumtime_s": round(cumtime, 3)})
    return rows


def _with_cprofile(config: StepConfig, max_clients: int, processes: int,
                   out: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stui-bench-prof-") as tmp:
        prof = Path(tmp) / "server.prof"
        with stui_server(max_clients=max_clients, profile_to=prof) as server:
            step = run_step(attrs.evolve(config, endpoint=server.endpoint),
                            server_pid=server.pid, sessions_dir=None, rss_base_kib=None,
                            processes=processes)
        if not prof.exists():
            return {"tool": "cProfile",
                    "note": "the profiled server wrote no stats (did it exit cleanly?)"}
        text = io.StringIO()
        stats = pstats.Stats(str(prof), stream=text)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(40)
        out.write_text(text.getvalue(), encoding="utf-8")
        return {"tool": "cProfile", **_step_facts(step), "file": out.name,
                "profiled_wall_s": round(stats.total_tt, 2),  # type: ignore[attr-defined]
                "top_tottime": _cprofile_rows(stats, 2), "top_cumtime": _cprofile_rows(stats, 3)}
