"""The evaluate and persistence scenarios in the report: the same tables on the terminal and in
Markdown, built once here as (title, header, rows) from the results JSON's ``scenarios``.

Each scenario's dict is what :mod:`bench.harness.evaluate_scenario` /
:mod:`bench.harness.persistence_scenario` returned, or ``{"not_run": why}`` /
``{"failed": why}``; :func:`failures` lists what should fail the run (exit code 1).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from bench.harness.cells import md_table, ms, num, ratio

Section = tuple[str, list[str], list[list[str]]]  # title, header, rows


def _kib(n: float | None) -> str:
    return "-" if n is None else f"{n / 1024:,.1f}"


def evaluate_intro(ev: dict[str, Any]) -> list[str]:
    if "rows" not in ev:
        return [f"not run: {ev.get('not_run') or ev.get('failed')}"]
    cal, st = ev["calibration"], ev["settings"]
    return [
        f"Each step: N clients evaluating back to back (saturation) for {st['seconds']:g} s, "
        "a fresh server per N. The ~10 ms doit, calibrated at the start of the run: "
        f"`{cal['code']}` — engine time {cal['engine_ms']} ms, round trip "
        f"{cal['round_trip_ms']} ms (medians of {cal['repeats']}).",
        f"Idle ping: one more client that only pings ({ev['idle_ping']['rate_per_second']:g}/s, "
        "paced) while the N others run the ~10 ms doit; the quiet baseline is the same "
        "client against an idle server.",
    ]


def evaluate_sections(ev: dict[str, Any]) -> list[Section]:
    if "rows" not in ev:
        return []
    rows = [[str(r["clients"]), "`3 + 4`" if r["doit"] == "trivial" else "~10 ms",
             ms(r["p50_us"]), ms(r["p90_us"]), ms(r["p99_us"]), ms(r["max_us"]),
             num(r["throughput_rps"]), str(r["count"]), str(r["errors"] + r["setup_errors"])]
            for r in ev["rows"]]
    base = ev["idle_ping"]["baseline"]
    pings = [["0 (quiet baseline)", ms(base["p50_us"]), ms(base["p99_us"]), "1.00", "1.00",
              str(base["count"]), str(base["errors"])]]
    pings += [[str(p["busy_clients"]), ms(p["p50_us"]), ms(p["p99_us"]),
               ratio(p["ratio_p50"]), ratio(p["ratio_p99"]), str(p["count"]), str(p["errors"])]
              for p in ev["idle_ping"]["under_load"]]
    return [
        ("evaluate latency (saturation), ms",
         ["N", "doit", "p50", "p90", "p99", "max", "evals/s", "samples", "errors"], rows),
        ("ping of an idle client while N others run ~10 ms doits, ms",
         ["N busy", "p50", "p99", "p50 / quiet", "p99 / quiet", "samples", "errors"], pings),
    ]


def persistence_intro(per: dict[str, Any]) -> list[str]:
    if "files" not in per:
        return [f"not run: {per.get('not_run') or per.get('failed')}"]
    st, files = per["settings"], per["files"]
    return [
        f"Sessions of real workspace bindings (made by evaluate), {st['sessions_per_size']} "
        f"per size, durable store, full durability. Cold = restore_session as the client's "
        f"first request after a server restart ({st['restarts']} restarts; the server reads, "
        "verifies and parses the client's files then — page cache warm); warm = again on the "
        "same server; first use = the first evaluate after the restart (`b1`), when the "
        "workspace's Smalltalk objects are rebuilt. Latency = round trip, reply decoded.",
        f"Session file of a typical session (10 bindings, 20 evaluations, 50 Transcript lines): "
        f"{files['typical_bytes']:,} B; largest session file: {files['largest_bytes']:,} B.",
    ]


def persistence_sections(per: dict[str, Any]) -> list[Section]:
    if "files" not in per:
        return []
    rows = []
    for size, kinds in per["restore"].items():
        f = per["files"]["by_bindings"].get(size, {})
        cold, warm, first = kinds["cold"], kinds["warm"], kinds["first_use"]
        rows.append([f"{int(size):,}", _kib(f.get("median_bytes")),
                     _kib(f.get("with_backups_bytes")),
                     str(per["build_seconds_per_session"].get(size, "-")),
                     ms(cold["p50_us"]), ms(cold["p99_us"]), ms(warm["p50_us"]),
                     ms(warm["p99_us"]), ms(first["p50_us"]), ms(first["p99_us"]),
                     f"{cold['count']} / {warm['count']} / {first['count']}"])
    updates = [[str(u["clients"]), num(u["acked_per_second"]), ms(u["p50_us"]), ms(u["p99_us"]),
                num(u["server_cpu_us_per_update"]), str(u["errors"])] for u in per["updates"]]
    return [
        ("restore latency by workspace size, ms",
         ["bindings", "file KiB", "+ backups KiB", "build s", "cold p50", "cold p99",
          "warm p50", "warm p99", "first use p50", "first use p99", "n cold/warm/first"], rows),
        ("durable acknowledged updates (update_session_state, ~4 KB, closed loop)",
         ["clients", "acked/s", "p50 ms", "p99 ms", "server CPU µs/update", "errors"],
         updates),
    ]


def markdown(data: dict[str, Any]) -> list[str]:
    scenarios = data.get("scenarios") or {}
    lines: list[str] = []
    for key, title, intro, sections in (
            ("evaluate", "Evaluate scenario (issue 5)", evaluate_intro, evaluate_sections),
            ("persistence", "Persistence scenario (issue 6)", persistence_intro,
             persistence_sections)):
        if key not in scenarios:
            continue
        lines += [f"## {title}", "", *[f"{line}\n" for line in intro(scenarios[key])]]
        for name, header, rows in sections(scenarios[key]):
            lines += [f"{name}:", "", *md_table(header, rows)]
    return lines


def print_console(console: Console, data: dict[str, Any]) -> None:
    scenarios = data.get("scenarios") or {}
    for key, intro, sections in (("evaluate", evaluate_intro, evaluate_sections),
                                 ("persistence", persistence_intro, persistence_sections)):
        if key not in scenarios:
            continue
        for line in intro(scenarios[key]):
            console.print(f"[bold]{key}:[/bold] {line}")
        for name, header, rows in sections(scenarios[key]):
            table = Table(title=f"{key}: {name}", title_justify="left")
            for i, col in enumerate(header):
                table.add_column(col, justify="left" if i == 0 else "right")
            for row in rows:
                table.add_row(*row)
            console.print(table)


def failures(scenarios: dict[str, Any]) -> list[str]:
    """Scenario failures and failed load-generator workers, one line each."""
    out = [f"{key} scenario: {s['failed']}" for key, s in scenarios.items() if "failed" in s]
    ev = scenarios.get("evaluate") or {}
    for row in [*ev.get("rows", []), ev.get("idle_ping", {}).get("baseline_facts", {})]:
        out += [f"evaluate scenario: {w}" for w in row.get("workers_failed", [])]
    for row in (scenarios.get("persistence") or {}).get("updates", []):
        out += [f"persistence scenario: {w}" for w in row["workers_failed"]]
    return out
