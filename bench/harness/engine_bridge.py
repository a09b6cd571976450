"""The engine microbenchmarks (issue 4's ``bench/engine``), run for the same report.

``bench/engine`` belongs to the engine's author; this module only calls its public entry
point, after the load ladder (never during it: it would steal the cores). In order:

1. a function ``bench.engine.run`` / ``run_all`` / ``run_benchmarks`` (``quick=`` passed if
   it takes it) returning JSON-able rows, called in a child process;
2. else the command line, ``python -m bench.engine`` (``--repeat 1`` in quick mode when it
   accepts it), whose printed table goes into the report verbatim.

Both run with a time bound, so a slow or broken engine benchmark cannot stall the harness.
When the package is absent the report says "engine benchmarks: not available in this build".
"""

from __future__ import annotations

import importlib.util
import inspect
import multiprocessing as mp
import queue
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import orjson

ENTRY_POINTS = ("run", "run_all", "run_benchmarks")
NOT_AVAILABLE = "not available in this build"
ROOT = Path(__file__).resolve().parents[2]


def not_run(summary: str) -> dict[str, Any]:
    return {"available": False, "summary": summary, "results": None, "text": None}


def _jsonable(value: Any) -> Any:
    if attrs.has(type(value)):
        return attrs.asdict(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return orjson.loads(orjson.dumps(value, default=str))


def _child(name: str, quick: bool, out: mp.Queue[Any]) -> None:
    try:
        import bench.engine as engine

        fn = getattr(engine, name)
        kwargs = {"quick": quick} if "quick" in inspect.signature(fn).parameters else {}
        out.put(("ok", _jsonable(fn(**kwargs))))
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _entry_function() -> str | None:
    try:
        import bench.engine as engine
    except Exception:
        return None
    return next((n for n in ENTRY_POINTS if callable(getattr(engine, n, None))), None)


def _call(name: str, quick: bool, timeout: float) -> dict[str, Any]:
    ctx = mp.get_context("forkserver")
    out: mp.Queue[Any] = ctx.Queue()
    proc = ctx.Process(target=_child, args=(name, quick, out), daemon=True)
    proc.start()
    try:
        status, payload = out.get(timeout=timeout)
    except queue.Empty:
        status, payload = "error", f"timed out after {timeout:g} s"
    finally:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
    if status != "ok":
        return not_run(f"failed: bench.engine.{name}: {payload}")
    return {"available": True, "summary": f"ran bench.engine.{name}(quick={quick})",
            "results": payload, "text": None}


def _command(quick: bool, timeout: float) -> dict[str, Any]:
    base = [sys.executable, "-m", "bench.engine"]
    tries = [[*base, "--repeat", "1"], base] if quick else [base]
    for argv in tries:
        try:
            done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return not_run(f"`{' '.join(argv[1:])}` timed out after {timeout:g} s")
        if done.returncode == 2 and "unrecognized arguments" in done.stderr:
            continue  # its CLI has no --repeat (any more): run it plain
        shown = "python " + " ".join(argv[1:])
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return not_run(f"`{shown}` failed (exit {done.returncode}): {' | '.join(tail)}")
        return {"available": True, "summary": f"ran `{shown}`", "results": None,
                "text": done.stdout.strip()}
    return not_run("no way to run bench.engine")


def run(*, quick: bool, timeout: float) -> dict[str, Any]:
    if importlib.util.find_spec("bench.engine") is None:
        return not_run(NOT_AVAILABLE)
    name = _entry_function()
    if name is not None:
        return _call(name, quick, timeout)
    if importlib.util.find_spec("bench.engine.__main__") is not None:
        return _command(quick, timeout)
    return not_run(f"{NOT_AVAILABLE} (bench.engine has no entry point)")
