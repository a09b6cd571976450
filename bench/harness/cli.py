"""``python -m bench``: arguments, the ladder, and the run from start to report.

A run is made of *groups* (``--only`` picks some; default all, in this order):

- ``ladder`` — for every rung N (default 1, 5, 25, 50, 100, 500, 1000 clients) a fresh
  stui_trio server, its baseline RSS, then each load shape (paced, saturation) twice with N
  simulated clients: against the plain pyzmq echo server (the transport's floor, one process
  for the whole run) and against stui_trio, back to back so machine noise hits both alike.
- ``profile`` — one profiled saturation step (py-spy, else cProfile).
- ``evaluate`` — issue 5's scenario (:mod:`bench.harness.evaluate_scenario`).
- ``persistence`` — issue 6's scenario (:mod:`bench.harness.persistence_scenario`).
- ``engine`` — the engine microbenchmarks, if this build has them.

Then the tables, ``results/<UTC timestamp>.json``, ``.md`` (+ ``latest.md``) and PNG plots.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bench.harness import (
    engine_bridge,
    evaluate_scenario,
    markdown,
    persistence_scenario,
    profiling,
    report,
    scenario_report,
)
from bench.harness.ladder import PACED_MAX_SECONDS, LadderPlan, run_ladder
from bench.harness.probe import probe
from bench.harness.runner import DEFAULT_PROCESSES, StepResult
from bench.harness.servers import NotLoopback, check_loopback, echo_server, stui_server
from bench.scenarios import MIXES, Mix, parse_mix
from bench.scenarios.tools import EVALUATE
from stui_trio.client import SocketKind

RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"


@attrs.frozen
class Mode:
    clients: tuple[int, ...]
    paced_seconds: float
    saturation_seconds: float
    max_ops: int
    profile_clients: int
    engine_timeout: float
    paced_min_samples: int  # small rungs run longer (up to PACED_MAX_SECONDS) to get these
    evaluate: evaluate_scenario.EvaluateSettings
    persistence: persistence_scenario.PersistenceSettings


FULL = Mode((1, 5, 25, 50, 100, 500, 1000), 12.0, 5.0, 100_000, 100, 240.0, 40,
            evaluate_scenario.FULL, persistence_scenario.FULL)
QUICK = Mode((1, 10), 3.0, 1.5, 5_000, 0, 15.0, 0, evaluate_scenario.QUICK,
             persistence_scenario.QUICK)
GROUPS = ("ladder", "profile", "evaluate", "persistence", "engine")
def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("give client counts like 1,5,25,100")
    return counts


def _shapes(text: str) -> tuple[str, ...]:
    shapes = tuple(s.strip() for s in text.split(",") if s.strip())
    if not shapes or set(shapes) - {"paced", "saturation"}:
        raise argparse.ArgumentTypeError("shapes are paced and/or saturation")
    return shapes


def _groups(text: str) -> tuple[str, ...]:
    groups = tuple(g.strip() for g in text.split(",") if g.strip())
    if not groups or set(groups) - set(GROUPS):
        raise argparse.ArgumentTypeError(f"groups are {', '.join(GROUPS)}")
    return tuple(g for g in GROUPS if g in groups)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load-test a stui_trio server process with a ladder of concurrent clients "
                    "(paced and saturation), next to a plain pyzmq echo server measured in the "
                    "same run; run the evaluate (issue 5) and persistence (issue 6) scenarios; "
                    "write a JSON + Markdown report with plots to bench/results/.",
    )
    p.add_argument("--quick", action="store_true",
                   help=f"short run for the test suite (clients {QUICK.clients}, "
                        f"{QUICK.paced_seconds}/{QUICK.saturation_seconds} s steps, tiny "
                        "evaluate and persistence scenarios), < 60 s")
    p.add_argument("--only", type=_groups, default=GROUPS,
                   help=f"run only these groups, comma-separated: {', '.join(GROUPS)} "
                        "(default all), e.g. --only evaluate,persistence")
    p.add_argument("--clients", type=_counts, default=None,
                   help="the ladder, comma-separated (default "
                        f"{','.join(map(str, FULL.clients))})")
    p.add_argument("--shapes", type=_shapes, default=("paced", "saturation"),
                   help="load shapes to run: paced,saturation (default both)")
    p.add_argument("--mix", default="all",
                   help=f"ops mix: {', '.join(MIXES)} or op=weight,... (default all)")
    p.add_argument("--rate", type=float, default=1.0,
                   help="paced shape: ops per second per client, Poisson (default 1)")
    p.add_argument("--paced-seconds", type=float, default=None,
                   help=f"time bound of a paced step (default {FULL.paced_seconds}; small "
                        f"rungs run up to {PACED_MAX_SECONDS:g} s for "
                        f"{FULL.paced_min_samples} samples)")
    p.add_argument("--saturation-seconds", type=float, default=None,
                   help=f"time bound of a saturation step (default {FULL.saturation_seconds})")
    p.add_argument("--max-ops", type=int, default=None,
                   help=f"count bound: ops per client per step (default {FULL.max_ops})")
    p.add_argument("--processes", type=int, default=DEFAULT_PROCESSES,
                   help=f"load-generator processes at most (default 2 per core = "
                        f"{DEFAULT_PROCESSES})")
    p.add_argument("--kind", choices=[k.value for k in SocketKind], default="req",
                   help="client socket kind (default req)")
    p.add_argument("--request-timeout", type=float, default=10.0,
                   help="seconds before a request counts as a ClientTimeout error")
    p.add_argument("--profile-clients", type=int, default=None,
                   help="after the ladder, profile the server (cProfile) in one saturation "
                        f"step with this many clients; 0 = off (default {FULL.profile_clients}, "
                        "quick 0)")
    p.add_argument("--no-engine", action="store_true",
                   help="skip the engine microbenchmarks (as --only without engine)")
    p.add_argument("--endpoint", default=None,
                   help="measure a server already running there (loopback or ipc:// only); "
                        "default: start a fresh one per rung")
    p.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                   help="where results go (default bench/results)")
    p.add_argument("--seed", type=int, default=7)
    return p


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _scenario_ops(mix: Mix, groups: tuple[str, ...]) -> Mix:
    """The mix to probe: the ladder's ops, plus evaluate when a scenario needs it."""
    if {"evaluate", "persistence"} & set(groups) and "evaluate" not in mix.describe():
        return Mix((*mix.ops, EVALUATE), (*mix.weights, 1.0))
    return mix


def _scenario(run_scenario: Callable[[], dict[str, Any]], endpoint: str | None,
              missing: frozenset[str]) -> dict[str, Any]:
    """Run a scenario; what it measured, or why not (a failure is reported, not raised)."""
    if endpoint is not None:
        return {"not_run": "needs servers the harness starts and restarts (--endpoint given)"}
    if "evaluate" in missing:
        return {"not_run": "not available: server has no evaluate command"}
    try:
        return run_scenario()
    except Exception as exc:  # the rest of the run still reports
        return {"failed": f"{type(exc).__name__}: {exc}"}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=140)
    if args.endpoint is not None:
        try:
            check_loopback(args.endpoint)
        except NotLoopback as exc:
            console.print(f"[red]refused:[/red] {exc}")
            return 2
    try:
        requested_mix = parse_mix(args.mix)
    except ValueError as exc:
        console.print(f"[red]bad --mix:[/red] {exc}")
        return 2
    mode = QUICK if args.quick else FULL
    groups = tuple(g for g in args.only if not (g == "engine" and args.no_engine))
    ladder = args.clients or mode.clients
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    load_start = _loadavg()
    steps: list[StepResult] = []
    profile: dict[str, Any] | None = None
    scenarios: dict[str, Any] = {}
    with stui_server(args.endpoint, max_clients=max(ladder)) as first:
        found = probe(first.endpoint, _scenario_ops(requested_mix, groups))
    mix = requested_mix.without(set(found.missing))
    for note in found.notes:
        console.print(f"[yellow]{note}[/yellow]")
    if "ladder" in groups and not mix.ops:
        console.print("[red]nothing to run: every op of the mix is unavailable[/red]")
        return 2
    plan = LadderPlan(
        clients=ladder, shapes=args.shapes, mix=mix,
        paced_seconds=args.paced_seconds or mode.paced_seconds,
        paced_min_samples=mode.paced_min_samples,
        saturation_seconds=args.saturation_seconds or mode.saturation_seconds,
        max_ops=args.max_ops or mode.max_ops, rate=args.rate, kind=SocketKind(args.kind),
        request_timeout=args.request_timeout, seed=args.seed, processes=args.processes)
    how = evaluate_scenario.Run(processes=args.processes, kind=SocketKind(args.kind),
                                request_timeout=args.request_timeout, seed=args.seed)
    with Progress(TextColumn("{task.description:<52}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} steps"), TimeElapsedColumn(),
                  console=console) as progress:
        bar = progress.add_task("benchmark", total=len(ladder) * len(args.shapes) * 2
                                if "ladder" in groups else 0)

        def phase(text: str) -> None:
            progress.update(bar, description=text)

        if "ladder" in groups:
            with echo_server() as echo:
                steps = run_ladder(plan, echo, args.endpoint, phase,
                                   lambda: progress.advance(bar))
        profile_clients = mode.profile_clients if args.profile_clients is None \
            else args.profile_clients
        if "profile" in groups and profile_clients > 0 and args.endpoint is None:
            phase(f"profiling the server: saturation, {profile_clients} clients")
            profile = profiling.profile_server(
                plan.step_config("stui_trio", "", profile_clients, "saturation"),
                max_clients=max(ladder), processes=args.processes,
                results_dir=args.results_dir, stamp=started)
        runners: dict[str, Callable[[], dict[str, Any]]] = {
            "evaluate": lambda: evaluate_scenario.run(mode.evaluate, how, phase),
            "persistence": lambda: persistence_scenario.run(mode.persistence, how, phase),
        }
        for name, run_scenario in runners.items():
            if name in groups:
                scenarios[name] = _scenario(run_scenario, args.endpoint, found.missing)
    engine = (engine_bridge.run(quick=args.quick, timeout=mode.engine_timeout)
              if "engine" in groups else engine_bridge.not_run(
                  "skipped (--no-engine)" if args.no_engine else "skipped (--only)"))
    data = report.results_json(
        steps, started=started, duration=time.monotonic() - t0,
        command="python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv),
        settings={"groups": list(groups), "ladder": list(ladder) if "ladder" in groups else [],
                  "shapes": list(args.shapes), "mix": mix.describe(),
                  "requested_mix": args.mix, "rate_per_client": args.rate, "kind": args.kind,
                  "processes": args.processes, "quick": args.quick,
                  "ops": {op.name: op.description for op in mix.ops},
                  "endpoint": args.endpoint or "a fresh server per rung, started by the harness",
                  "seed": args.seed},
        probe_notes=list(found.notes), missing=sorted(found.missing),
        load=(load_start, _loadavg()), engine=engine, profile=profile, scenarios=scenarios)
    report.print_report(console, data)
    paths = markdown.write_all(args.results_dir, data, started)
    for path in paths:
        console.print(f"wrote {path}")
    failed = [f for s in steps for f in s.workers_failed]
    failed += scenario_report.failures(scenarios)
    for line in failed:
        console.print(f"[red]failed:[/red] {line}")
    return 1 if failed else 0
