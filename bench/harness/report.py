"""What a run says: the table at the end, ratios to the echo floor, targets, the JSON file.

Every stui_trio figure sits next to the echo baseline's for the same client count and
command; the ratio is stui / echo (1.0 = as fast as bare pyzmq). Targets are checked and
printed pass/fail; the JSON keeps all of it for issue 7's Markdown report and plots.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import zmq
from rich.console import Console
from rich.table import Table

from bench.harness.runner import StepResult


@attrs.frozen
class Target:
    name: str
    value: float | None
    limit: float
    unit: str

    @property
    def passed(self) -> bool:
        return self.value is not None and self.value <= self.limit


def _find(steps: Sequence[StepResult], target: str, clients: int) -> StepResult | None:
    for step in steps:
        if step.config.target == target and step.config.clients == clients:
            return step
    return None


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b > 0 and a > 0 else None


def ratios(steps: Sequence[StepResult]) -> list[dict[str, Any]]:
    rows = []
    for step in steps:
        if step.config.target != "stui_trio":
            continue
        echo = _find(steps, "echo", step.config.clients)
        for command, ours in step.commands.items():
            floor = echo.commands.get(command) if echo else None
            rows.append({
                "clients": step.config.clients,
                "command": command,
                "p50_ratio": _ratio(ours.p50_us, floor.p50_us) if floor else None,
                "p99_ratio": _ratio(ours.p99_us, floor.p99_us) if floor else None,
            })
    return rows


def targets(steps: Sequence[StepResult]) -> list[Target]:
    """Issue 3's targets: ping p50 within 3x of echo at 1 client; create_session p99 < 5 ms
    at 50 clients (at the largest client count run, which the name then says)."""
    out: list[Target] = []
    ours, echo = _find(steps, "stui_trio", 1), _find(steps, "echo", 1)
    if ours and echo and "ping" in ours.commands and "ping" in echo.commands:
        out.append(Target("ping p50 / echo p50 at 1 client",
                          _ratio(ours.commands["ping"].p50_us, echo.commands["ping"].p50_us),
                          3.0, "x"))
    largest = max((s.config.clients for s in steps if s.config.target == "stui_trio"), default=0)
    step = _find(steps, "stui_trio", largest)
    if step and "create_session" in step.commands:
        out.append(Target(f"create_session p99 at {largest} clients",
                          round(step.commands["create_session"].p99_us / 1000, 3), 5.0, "ms"))
    return out


def _ms(us: float) -> str:
    return f"{us / 1000:.3f}"


def print_report(console: Console, steps: Sequence[StepResult]) -> None:
    table = Table(title="latency in ms (stui_trio vs the plain pyzmq echo, same run)",
                  title_justify="left")
    for column in ("N", "command", "p50", "p99", "echo p50", "echo p99", "x p50", "x p99",
                   "req/s", "errors"):
        table.add_column(column, justify="right" if column != "command" else "left")
    by_key = {(r["clients"], r["command"]): r for r in ratios(steps)}
    for step in steps:
        if step.config.target != "stui_trio":
            continue
        echo = _find(steps, "echo", step.config.clients)
        for i, (command, ours) in enumerate(sorted(step.commands.items())):
            floor = echo.commands.get(command) if echo else None
            ratio = by_key.get((step.config.clients, command), {})
            table.add_row(
                str(step.config.clients) if i == 0 else "", command, _ms(ours.p50_us),
                _ms(ours.p99_us), _ms(floor.p50_us) if floor else "-",
                _ms(floor.p99_us) if floor else "-", str(ratio.get("p50_ratio") or "-"),
                str(ratio.get("p99_ratio") or "-"),
                f"{step.throughput:,.0f}" if i == 0 else "",
                str(sum(step.errors.values())) if i == 0 else "",
            )
    console.print(table)
    for target in targets(steps):
        verdict = "[green]PASS[/green]" if target.passed else "[red]MISS[/red]"
        console.print(f"{verdict} {target.name}: {target.value} {target.unit} "
                      f"(target <= {target.limit:g} {target.unit})")
    for step in steps:
        if step.errors:
            console.print(f"[yellow]errors[/yellow] {step.config.target} "
                          f"N={step.config.clients}: {step.error_types}")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform(), "pyzmq": zmq.pyzmq_version(),
        "libzmq": zmq.zmq_version(),
    }


def step_json(step: StepResult) -> dict[str, Any]:
    return {
        **attrs.asdict(step.config, value_serializer=lambda _i, _a, v: getattr(v, "value", v)),
        "wall_seconds": round(step.wall_seconds, 3),
        "requests": step.requests,
        "throughput_rps": round(step.throughput, 1),
        "errors": step.errors,
        "error_types": step.error_types,
        "workers_failed": step.workers_failed,
        "server_rss_kib": step.server_rss_kib,
        "commands": {c: {k: round(v, 1) if isinstance(v, float) else v
                         for k, v in attrs.asdict(s).items()}
                     for c, s in step.commands.items()},
    }


def results_json(
    steps: Sequence[StepResult], started: dt.datetime, settings: dict[str, Any]
) -> dict[str, Any]:
    return {
        "schema": 1,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": settings,
        "steps": [step_json(s) for s in steps],
        "ratios": ratios(steps),
        "targets": [{**attrs.asdict(t), "passed": t.passed} for t in targets(steps)],
    }


def write_results(directory: Path, data: dict[str, Any], started: dt.datetime) -> Path:
    """``<directory>/<UTC date and time>.json`` (time too, so runs of one day all stay)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{started.strftime('%Y-%m-%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
