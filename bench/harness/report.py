"""What a run says, as data: the results JSON, and the rich table printed at the end.

Everything downstream (targets, Markdown, plots) reads the JSON dict built here, so a report
can be rebuilt from a results file alone. Every stui_trio latency carries its ratio to the
echo baseline's for the same shape, client count and op label (stui / echo; 1.0 = as fast as
bare pyzmq).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Sequence
from typing import Any

import attrs
import zmq
from rich.console import Console
from rich.table import Table

from bench.harness import scenario_report, targets
from bench.harness.cells import ms, num, ratio
from bench.harness.runner import StepResult

SCHEMA = 3  # 3: settings.groups, scenarios (evaluate, persistence), targets' shape


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "pyzmq": zmq.pyzmq_version(),
            "libzmq": zmq.zmq_version()}


def _ratio(ours: float, floor: float | None) -> float | None:
    return round(ours / floor, 2) if floor and ours > 0 else None


def step_json(step: StepResult, echo: StepResult | None) -> dict[str, Any]:
    commands = {}
    for label, s in step.commands.items():
        floor = echo.commands.get(label) if echo else None
        row: dict[str, Any] = {k: round(v, 1) if isinstance(v, float) else v
                               for k, v in attrs.asdict(s).items()}
        if step.config.target == "stui_trio":
            row["ratio_p50"] = _ratio(s.p50_us, floor.p50_us if floor else None)
            row["ratio_p99"] = _ratio(s.p99_us, floor.p99_us if floor else None)
        commands[label] = row
    c = step.config
    per_client = step.rss_per_client_kib
    return {
        "target": c.target, "shape": c.shape, "clients": c.clients, "processes": step.processes,
        "seconds_bound": c.seconds, "max_ops_bound": c.max_ops, "kind": c.kind.value,
        "rate_per_client": c.rate if c.shape == "paced" else None,
        "wall_seconds": round(step.wall_seconds, 3), "requests": step.requests,
        "throughput_rps": round(step.throughput, 1),
        "throughput_ratio": (_ratio(step.throughput, echo.throughput)
                             if echo and c.target == "stui_trio" else None),
        "errors": step.errors, "error_count": step.error_count,
        "error_types": step.error_types, "error_examples": step.error_examples,
        "setup_errors": step.setup_errors, "workers_failed": step.workers_failed,
        "rss_base_kib": step.rss_base_kib, "rss_connected_kib": step.rss_connected_kib,
        "rss_loaded_kib": step.rss_loaded_kib,
        "rss_per_client_kib": round(per_client, 1) if per_client is not None else None,
        "session_files": attrs.asdict(step.session_files) if step.session_files else None,
        "server_cpu_s": round(step.server_cpu_s, 2) if step.server_cpu_s is not None else None,
        "server_cpu_us_per_request": round(step.server_cpu_s / step.requests * 1e6, 1)
        if step.server_cpu_s is not None and step.requests else None,
        "generator_cpu_s": round(step.generator_cpu_s, 2),
        "commands": commands,
    }


def results_json(
    steps: Sequence[StepResult], *, started: dt.datetime, duration: float, command: str,
    settings: dict[str, Any], probe_notes: list[str], missing: list[str],
    load: tuple[list[float], list[float]], engine: dict[str, Any],
    profile: dict[str, Any] | None, scenarios: dict[str, Any] | None = None,
) -> dict[str, Any]:
    def echo_of(step: StepResult) -> StepResult | None:
        return next((e for e in steps if e.config.target == "echo"
                     and e.config.shape == step.config.shape
                     and e.config.clients == step.config.clients), None)

    data: dict[str, Any] = {
        "schema": SCHEMA,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 1),
        "command": command,
        "machine": {**machine(), "loadavg_at_start": load[0], "loadavg_at_end": load[1]},
        "settings": settings,
        "probe": {"missing_commands": missing, "notes": probe_notes},
        "steps": [step_json(s, echo_of(s)) for s in steps],
        "scenarios": scenarios or {},
        "engine": engine,
        "profile": profile,
    }
    data["targets"] = [attrs.asdict(t) for t in targets.evaluate(data)]
    return data


def print_report(console: Console, data: dict[str, Any]) -> None:
    steps = data["steps"]
    for shape in data["settings"]["shapes"] if steps else ():
        table = Table(title=f"{shape}: stui_trio latency in ms, x = ratio to the pyzmq echo "
                            "(same run, same step)", title_justify="left")
        for col in ("N", "op", "p50", "p90", "p99", "max", "x p50", "x p99", "n"):
            table.add_column(col, justify="left" if col == "op" else "right")
        for step in steps:
            if step["shape"] != shape or step["target"] != "stui_trio":
                continue
            for i, (label, c) in enumerate(sorted(step["commands"].items())):
                table.add_row(str(step["clients"]) if i == 0 else "", label, ms(c["p50_us"]),
                              ms(c["p90_us"]), ms(c["p99_us"]), ms(c["max_us"]),
                              ratio(c.get("ratio_p50")), ratio(c.get("ratio_p99")), str(c["count"]),
                              end_section=i == len(step["commands"]) - 1)
        console.print(table)
    table = Table(title="per step: throughput, errors, server memory", title_justify="left")
    for col in ("shape", "N", "stui req/s", "echo req/s", "x", "CPU µs/req", "echo µs/req",
                "errors", "RSS MiB", "KiB/client", "session files"):
        table.add_column(col, justify="left" if col == "shape" else "right")
    for step in steps:
        if step["target"] != "stui_trio":
            continue
        echo = next((e for e in steps if e["target"] == "echo" and e["shape"] == step["shape"]
                     and e["clients"] == step["clients"]), None)
        files = step["session_files"]
        table.add_row(
            step["shape"], str(step["clients"]), f"{step['throughput_rps']:,.0f}",
            f"{echo['throughput_rps']:,.0f}" if echo else "-", ratio(step["throughput_ratio"]),
            num(step["server_cpu_us_per_request"]),
            num(echo["server_cpu_us_per_request"] if echo else None),
            str(step["error_count"] + step["setup_errors"]),
            f"{step['rss_connected_kib'] / 1024:.1f}" if step["rss_connected_kib"] else "-",
            f"{step['rss_per_client_kib']:.0f}" if step["rss_per_client_kib"] is not None
            else "-",
            f"{files['count']} (max {files['max_bytes']:,} B)" if files else "none")
    if steps:
        console.print(table)
    scenario_report.print_console(console, data)
    for line in data["probe"]["notes"]:
        console.print(f"[yellow]{line}[/yellow]")
    for t in data["targets"]:
        style = {"PASS": "green", "MISS": "red"}.get(t["verdict"], "yellow")
        console.print(f"[{style}]{t['verdict']:4}[/{style}] [{t['group']}] {t['name']}: "
                      f"{t['shown']} ({t['shape']}) — {t['note']}")
    engine = data["engine"]
    console.print(f"engine benchmarks: {engine['summary']}")
    for step in steps:
        if step["error_types"]:
            console.print(f"[yellow]errors[/yellow] {step['target']} {step['shape']} "
                          f"N={step['clients']}: {step['error_types']} "
                          f"e.g. {next(iter(step['error_examples'].values()), '')}")
