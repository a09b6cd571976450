"""The Markdown report and its plots: ``<timestamp>.md`` (+ ``latest.md``), PNGs, the JSON.

A person should trust it at a glance: the targets first (pass/fail, by how much), then the
latency tables per shape with ratios to the echo floor, throughput and memory per step, the
plots, the evaluate and persistence scenarios, the engine microbenchmarks, the profile's hot
spots, and how the numbers were made.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from bench.harness import plots, scenario_report
from bench.harness.cells import md_table, ms, num, ratio

_table = md_table


def _targets(data: dict[str, Any]) -> list[str]:
    rows = [[t["group"], t["name"], t["shown"], f"**{t['verdict']}**", t["shape"], t["note"]]
            for t in data["targets"]]
    return _table(["", "target", "measured", "verdict", "shape / source",
                   "where / by how much"], rows)


def _latency(data: dict[str, Any], shape: str) -> list[str]:
    rows = []
    for step in data["steps"]:
        if step["shape"] != shape or step["target"] != "stui_trio":
            continue
        for label, c in sorted(step["commands"].items()):
            rows.append([str(step["clients"]), label, ms(c["p50_us"]), ms(c["p90_us"]),
                         ms(c["p99_us"]), ms(c["max_us"]), ratio(c.get("ratio_p50"), "x"),
                         ratio(c.get("ratio_p99"), "x"), str(c["count"]),
                         str(step["errors"].get(label, 0))])
    return _table(["N", "op", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50 / echo",
                   "p99 / echo", "samples", "errors"], rows)


def _steps(data: dict[str, Any]) -> list[str]:
    rows = []
    for step in data["steps"]:
        if step["target"] != "stui_trio":
            continue
        echo = next((e for e in data["steps"] if e["target"] == "echo"
                     and e["shape"] == step["shape"] and e["clients"] == step["clients"]), None)
        files = step["session_files"]
        ping = (echo or {}).get("commands", {}).get("ping", {})
        rows.append([
            step["shape"], str(step["clients"]), f"{step['throughput_rps']:,.0f}",
            f"{echo['throughput_rps']:,.0f}" if echo else "-", ratio(step["throughput_ratio"], "x"),
            num(step["server_cpu_us_per_request"]),
            num((echo or {}).get("server_cpu_us_per_request")),
            f"{step['generator_cpu_s']:.1f} / {(echo or {}).get('generator_cpu_s', 0):.1f}",
            f"{ms(ping.get('p50_us'))} / {ms(ping.get('p99_us'))}",
            str(step["error_count"] + step["setup_errors"]),
            f"{step['rss_connected_kib'] / 1024:.1f}" if step["rss_connected_kib"] else "-",
            f"{step['rss_loaded_kib'] / 1024:.1f}" if step["rss_loaded_kib"] else "-",
            f"{step['rss_per_client_kib']:.0f}" if step["rss_per_client_kib"] is not None
            else "-",
            f"{files['count']}, max {files['max_bytes']:,} B" if files else "none"])
    return _table(["shape", "N", "stui req/s", "echo req/s", "ratio", "server CPU µs/req",
                   "echo CPU µs/req", "generators' CPU s (stui / echo)", "echo ping p50/p99 ms",
                   "errors", "RSS connected MiB", "RSS after load MiB", "KiB / client",
                   "session files"], rows)


def _errors(data: dict[str, Any]) -> list[str]:
    lines = []
    for step in data["steps"]:
        if step["error_types"] or step["workers_failed"]:
            example = next(iter(step["error_examples"].values()), "")
            lines.append(f"- {step['target']} {step['shape']} N={step['clients']}: "
                         f"{step['error_types']} {step['workers_failed'] or ''} "
                         f"e.g. `{example}`")
    return (lines or ["- none"]) + [""]


def _engine(data: dict[str, Any]) -> list[str]:
    engine = data["engine"]
    lines = [f"engine benchmarks: {engine['summary']}", ""]
    results = engine.get("results")
    if isinstance(results, list) and results and all(isinstance(r, dict) for r in results):
        keys = list(dict.fromkeys(k for r in results for k in r))
        lines += _table(keys, [[str(r.get(k, "")) for k in keys] for r in results])
    elif results is not None:
        lines += ["```json", json.dumps(results, indent=2)[:6000], "```", ""]
    if engine.get("text"):
        lines += ["```text", engine["text"][:6000], "```", ""]
    return lines


def _profile(data: dict[str, Any]) -> list[str]:
    prof = data.get("profile")
    if not prof:
        return ["not run (`--profile-clients 0`, `--quick`, or an external server)", ""]
    if "note" in prof:
        return [f"{prof['tool']}: {prof['note']}", ""]
    head = (f"One saturation step, {prof['clients']} clients: {prof['requests']:,} requests "
            f"in {prof['seconds']} s ({prof['throughput_rps']:,.0f} req/s). "
            f"Raw profile: `{prof['file']}`.")
    if prof["tool"] == "py-spy":
        lines = [head + f" py-spy sampled the running server at 200 Hz, all active threads "
                 f"({prof['samples']:,} samples); shares are of all samples. Threads waiting for "
                 "work (idle workers) count in the first table only.", ""]
        for title, key in (("Samples per thread", "threads"),
                           ("Top by own time (leaf frame)", "top_own"),
                           ("Top by inclusive time (anywhere on the stack)", "top_inclusive")):
            lines += [f"{title}:", ""]
            lines += _table(["frame", "samples", "share"],
                            [[f"`{r['function']}`", f"{r['samples']:,}", f"{r['share']:.1%}"]
                             for r in prof[key]])
        return lines
    lines = [head + " The server ran under cProfile (several-fold slower, main thread only, "
             "wall time: waiting in epoll counts), so only the shares matter.", ""]
    for title, key in (("Top by own time", "top_tottime"),
                       ("Top by cumulative time", "top_cumtime")):
        lines += [f"{title}:", ""]
        lines += _table(["function", "calls", "own s", "cumulative s"],
                        [[f"`{r['function']}`", f"{r['calls']:,}", str(r["tottime_s"]),
                          str(r["cumtime_s"])] for r in prof[key]])
    return lines


def _ladder(data: dict[str, Any], latency_png: str | None, memory_png: str | None,
            ) -> list[str]:
    s = data["settings"]
    if not data["steps"]:
        return ["## Ladder", "", f"not run (groups: {', '.join(s['groups'])})", ""]
    lines = ["## Latency vs clients", "", f"![latency vs clients]({latency_png})", ""]
    for shape in s["shapes"]:
        what = (f"open loop, each client ~{s['rate_per_client']} op/s (Poisson), latency from "
                "the scheduled send time" if shape == "paced"
                else "each client sends its next request as soon as the reply arrives")
        lines += [f"### {shape} ({what})", "", *_latency(data, shape)]
    return [*lines, "## Throughput and memory per step", "", *_steps(data),
            f"![memory vs clients]({memory_png})", ""]


def render(data: dict[str, Any], latency_png: str | None, memory_png: str | None) -> str:
    s, m = data["settings"], data["machine"]
    lines = [
        f"# stui_trio benchmark — {data['started_at']}", "",
        f"`{data['command']}` — {data['duration_seconds']} s on {m['cpus']} CPUs, Python "
        f"{m['python']}, pyzmq {m['pyzmq']} / libzmq {m['libzmq']}. Load average at start "
        f"{m['loadavg_at_start']}, at end {m['loadavg_at_end']}: this machine is shared, so "
        "absolute numbers are noisy; the ratios to the echo baseline (measured step by step "
        "in the same run) are the steadier figures.", "",
        "## Targets", "",
        *_targets(data),
        *[f"- {note}" for note in data["probe"]["notes"]],
        "",
        *_ladder(data, latency_png, memory_png),
        *scenario_report.markdown(data),
        "## Errors", "", *_errors(data),
        "## Engine microbenchmarks", "", *_engine(data),
        "## Server profile", "", *_profile(data),
        "## How this was measured", "",
        f"- Groups run: {', '.join(s['groups'])}. Ladder {s['ladder']}, shapes {s['shapes']}, "
        f"socket kind {s['kind']}, up to "
        f"{s['processes']} load-generator processes, each hosting its share of the clients "
        "(one socket and one Trio task per client); server and load share the machine's "
        "cores. Design and caveats: `docs/benchmarks.md`.",
        f"- Server: {s['endpoint']} (127.0.0.1; rate limit off). Echo baseline: a blocking "
        "pyzmq ROUTER that splices a success status into the request (same sizes).",
        "- Mix (op: weight): " + ", ".join(f"{k}: {v:g}" for k, v in s["mix"].items()),
        *[f"  - `{k}`: {v}" for k, v in s["ops"].items()],
        "- Memory: VmRSS of the server process from /proc; per client = (RSS with all clients "
        "connected, one session each - fresh server RSS) / N. CPU: the server's user + system "
        "time (all threads) over the load phase, per completed request; the generators' CPU "
        "shows whether the load generators, not the server, were the limit (2 cores = "
        "2 CPU-s per second of wall time for everything). Session files: the current file of "
        "each session (`<client>/session_*.ston`; backups, journal and change log not "
        "counted).",
        "",
    ]
    return "\n".join(lines)


def write_all(directory: Path, data: dict[str, Any], started: dt.datetime) -> list[Path]:
    """Write ``<ts>.json``, ``<ts>-latency.png``, ``<ts>-memory.png``, ``<ts>.md``,
    ``latest.md``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y-%m-%dT%H%M%SZ")
    json_path = directory / f"{stamp}.json"
    json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    pngs: list[Path] = []
    if data["steps"]:  # the plots are of the ladder
        pngs = [plots.latency_plot(data, directory / f"{stamp}-latency.png"),
                plots.memory_plot(data, directory / f"{stamp}-memory.png")]
    md = directory / f"{stamp}.md"
    md.write_text(render(data, *(p.name for p in pngs) if pngs else (None, None)),
                  encoding="utf-8")
    latest = directory / "latest.md"
    shutil.copyfile(md, latest)
    return [json_path, md, latest, *pngs]
