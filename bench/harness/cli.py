"""``python -m bench``: arguments, the ladder, and the run from start to report.

For every rung N of the ladder (default 1, 5, 25, 100, 500, 1000 clients) the harness starts a
fresh stui_trio server, reads its baseline RSS, then runs each load shape (paced, saturation)
twice with N simulated clients — against the plain pyzmq echo server (the transport's floor,
one process for the whole run) and against stui_trio — back to back so machine noise hits both
alike. Then: an optional profiled step (cProfile), the engine microbenchmarks if this build has
them, the table, ``results/<UTC timestamp>.json``, ``.md`` (+ ``latest.md``) and PNG plots.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import attrs
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bench.harness import engine_bridge, markdown, profiling, report
from bench.harness.loadgen import StepConfig
from bench.harness.memory import rss_kib
from bench.harness.probe import probe
from bench.harness.runner import DEFAULT_PROCESSES, StepResult, run_step
from bench.harness.servers import NotLoopback, check_loopback, echo_server, stui_server
from bench.scenarios import MIXES, parse_mix
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


FULL = Mode((1, 5, 25, 100, 500, 1000), 12.0, 5.0, 100_000, 100, 240.0, 40)
QUICK = Mode((1, 10), 3.0, 1.5, 5_000, 0, 15.0, 0)
PACED_MAX_SECONDS = 40.0


def paced_seconds(base: float, clients: int, rate: float, min_samples: int) -> float:
    """A paced step's time bound: ``base``, longer at small N so that ~``min_samples`` ops
    are sent (N=1 at 1/s: 40 s), never longer than :data:`PACED_MAX_SECONDS`."""
    return max(base, min(PACED_MAX_SECONDS, min_samples / (clients * rate)))


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load-test a stui_trio server process with a ladder of concurrent clients "
                    "(paced and saturation), next to a plain pyzmq echo server measured in the "
                    "same run; write a JSON + Markdown report with plots to bench/results/.",
    )
    p.add_argument("--quick", action="store_true",
                   help=f"short run for the test suite (clients {QUICK.clients}, "
                        f"{QUICK.paced_seconds}/{QUICK.saturation_seconds} s steps), < 60 s")
    p.add_argument("--clients", type=_counts, default=None,
                   help="the ladder, comma-separated (default 1,5,25,100,500,1000)")
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
    p.add_argument("--no-engine", action="store_true", help="skip the engine microbenchmarks")
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
    ladder = args.clients or mode.clients
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    load_start = _loadavg()
    steps: list[StepResult] = []
    profile: dict[str, Any] | None = None
    with echo_server() as echo:
        with stui_server(args.endpoint, max_clients=max(ladder)) as first:
            found = probe(first.endpoint, requested_mix)
        mix = requested_mix.without(set(found.missing))
        for note in found.notes:
            console.print(f"[yellow]{note}[/yellow]")
        if not mix.ops:
            console.print("[red]nothing to run: every op of the mix is unavailable[/red]")
            return 2

        def config(target: str, endpoint: str, clients: int, shape: str) -> StepConfig:
            return StepConfig(
                target=target, endpoint=endpoint, clients=clients, shape=shape, mix=mix,
                seconds=paced_seconds(args.paced_seconds or mode.paced_seconds, clients,
                                      args.rate, mode.paced_min_samples)
                if shape == "paced" else (args.saturation_seconds or mode.saturation_seconds),
                max_ops=args.max_ops or mode.max_ops, rate=args.rate,
                kind=SocketKind(args.kind), request_timeout=args.request_timeout,
                seed=args.seed)

        with Progress(TextColumn("{task.description:<44}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} steps"), TimeElapsedColumn(),
                      console=console) as progress:
            bar = progress.add_task("benchmark", total=len(ladder) * len(args.shapes) * 2)
            for clients in ladder:
                with stui_server(args.endpoint, max_clients=max(ladder)) as stui:
                    base = {"stui_trio": rss_kib(stui.pid)}
                    for shape in args.shapes:
                        for target, server in (("echo", echo), ("stui_trio", stui)):
                            def phase(name: str, t: str = target, s: str = shape,
                                      n: int = clients) -> None:
                                progress.update(bar, description=f"N={n:<5} {s:10} {t:9} {name}")
                            result = run_step(
                                config(target, server.endpoint, clients, shape),
                                server_pid=server.pid, sessions_dir=server.sessions_dir,
                                rss_base_kib=base.get(target, rss_kib(server.pid)),
                                processes=args.processes, on_phase=phase)
                            steps.append(result)
                            progress.advance(bar)
        profile_clients = mode.profile_clients if args.profile_clients is None \
            else args.profile_clients
        if profile_clients > 0 and args.endpoint is None:
            console.print(f"profiling the server: saturation, {profile_clients} clients ...")
            profile = profiling.profile_server(
                config("stui_trio", "", profile_clients, "saturation"),
                max_clients=max(ladder), processes=args.processes,
                results_dir=args.results_dir, stamp=started)
    engine = (engine_bridge.not_run("skipped (--no-engine)") if args.no_engine
              else engine_bridge.run(quick=args.quick, timeout=mode.engine_timeout))
    data = report.results_json(
        steps, started=started, duration=time.monotonic() - t0,
        command="python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv),
        settings={"ladder": list(ladder), "shapes": list(args.shapes), "mix": mix.describe(),
                  "requested_mix": args.mix, "rate_per_client": args.rate, "kind": args.kind,
                  "processes": args.processes, "quick": args.quick,
                  "ops": {op.name: op.description for op in mix.ops},
                  "endpoint": args.endpoint or "a fresh server per rung, started by the harness",
                  "seed": args.seed},
        probe_notes=list(found.notes), missing=sorted(found.missing),
        load=(load_start, _loadavg()), engine=engine, profile=profile)
    report.print_report(console, data)
    paths = markdown.write_all(args.results_dir, data, started)
    for path in paths:
        console.print(f"wrote {path}")
    failed = [f for s in steps for f in s.workers_failed]
    for line in failed:
        console.print(f"[red]worker failed:[/red] {line}")
    return 1 if failed else 0
