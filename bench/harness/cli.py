"""``python -m bench``: arguments, the ladder of client counts, and the run itself.

For every client count N (default 1, 5, 50) the harness runs the scenario twice with N
client processes: once against the echo baseline, once against stui_trio, back to back so
machine noise hits both alike. Each step stops by itself (``--iterations`` loops per client
or ``--seconds``, whichever comes first). Then it prints the table and writes
``bench/results/<UTC date>T<time>Z.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import attrs
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bench.harness import report
from bench.harness.runner import StepConfig, StepResult, run_step
from bench.harness.servers import NotLoopback, check_loopback, echo_server, stui_server
from bench.scenarios import names as scenario_names
from stui_trio.client import SocketKind

RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"
QUICK = {"iterations": 300, "seconds": 2.0}
FULL = {"iterations": 3000, "seconds": 10.0}


def _counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("give client counts like 1,5,50")
    return counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load-test a stui_trio server process with N client processes, next to a "
                    "plain pyzmq echo server measured in the same run.",
    )
    parser.add_argument("--clients", type=_counts, default=[1, 5, 50],
                        help="client counts to run, comma-separated (default 1,5,50)")
    parser.add_argument("--quick", action="store_true",
                        help=f"short steps ({QUICK['iterations']} loops or {QUICK['seconds']} s "
                             "per client), the whole run under a minute")
    parser.add_argument("--iterations", type=int, default=None,
                        help=f"scenario loops per client per step (default {FULL['iterations']})")
    parser.add_argument("--seconds", type=float, default=None,
                        help=f"time bound per step (default {FULL['seconds']})")
    parser.add_argument("--shape", choices=["saturation", "paced"], default="saturation",
                        help="saturation: back-to-back requests; paced: open loop at --rate "
                             "(default saturation)")
    parser.add_argument("--rate", type=float, default=1.0,
                        help="paced shape: requests/s per client, Poisson (default 1)")
    parser.add_argument("--scenario", choices=scenario_names(), default="sessions")
    parser.add_argument("--kind", choices=[k.value for k in SocketKind], default="req",
                        help="client socket kind (default req)")
    parser.add_argument("--endpoint", default=None,
                        help="measure a server already running here (loopback or ipc:// only); "
                             "default: start a fresh one")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="where the JSON result goes (default bench/results)")
    return parser


def _rss_kib(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # a log file or pipe: room for the whole table
    if args.endpoint is not None:
        try:
            check_loopback(args.endpoint)
        except NotLoopback as exc:
            console.print(f"[red]refused:[/red] {exc}")
            return 2
    bounds = QUICK if args.quick else FULL
    iterations = args.iterations or int(bounds["iterations"])
    seconds = args.seconds or float(bounds["seconds"])
    started = dt.datetime.now(dt.UTC)
    steps: list[StepResult] = []
    with (
        echo_server() as (echo_endpoint, echo_pid),
        stui_server(args.endpoint) as (stui_endpoint, stui_pid),
        Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                 console=console, transient=True) as progress,
    ):
        plan = [(n, target) for n in args.clients for target in ("echo", "stui_trio")]
        bar = progress.add_task("benchmark", total=len(plan))
        for clients, target in plan:
            progress.update(bar, description=f"{target:9} N={clients:<4}")
            config = StepConfig(
                target=target, endpoint=echo_endpoint if target == "echo" else stui_endpoint,
                clients=clients, scenario=args.scenario, kind=SocketKind(args.kind),
                iterations=iterations, seconds=seconds,
                rate=args.rate if args.shape == "paced" else None,
            )
            result = run_step(config)
            pid = echo_pid if target == "echo" else stui_pid
            steps.append(attrs.evolve(result, server_rss_kib=_rss_kib(pid)))
            progress.advance(bar)
    report.print_report(console, steps)
    settings = {"clients": args.clients, "scenario": args.scenario, "kind": args.kind,
                "shape": args.shape, "rate": args.rate if args.shape == "paced" else None,
                "iterations": iterations, "seconds": seconds, "quick": args.quick,
                "endpoint": args.endpoint or "started by the harness"}
    path = report.write_results(args.results_dir, report.results_json(steps, started, settings),
                                started)
    console.print(f"results: {path}")
    failed = sum(s.workers_failed for s in steps)
    if failed:
        console.print(f"[red]{failed} worker process(es) failed[/red]")
    return 1 if failed else 0
