"""The targets, checked against a run's results: the issues' and the seed's, pass/fail.

Each :class:`TargetResult` says the measured value, the limit, PASS / MISS / N/A, the load
shape (or scenario) it was read from, and a note (where it was measured; for a MISS, by how
much). Definitions, so the verdicts can be argued:

- issue 7: *1,000 clients paced, trivial-evaluate p99 < 50 ms* — the stui_trio paced step at
  1,000 clients, op ``evaluate`` (``3 + 4``). *Saturation throughput >= half the echo's* —
  the best stui_trio saturation step against the best echo saturation step of the run.
  *<= 256 KiB RSS per connected client with one session* — (server RSS with every client
  connected holding one session - the fresh server's RSS) / N, at the largest rung.
  *ping p50 <= 2x echo at 1 client* — saturation shape (most samples), else paced.
- seed: *creation < 100 ms*, *restoration < 500 ms* — the worst p99 of ``create_session`` /
  ``restore_session`` over the paced steps (a person's pace). *< 10 MB per client* — as the
  RSS target above. *< 1 MB per session file* — the largest file in the sessions dir (N/A
  when the server wrote none). *5+ clients without degradation* — paced at 5 clients, every
  op's p50 within 2x of its 1-client p50.
- issue 3: *ping p50 <= 3x echo at 1 client* — as issue 7's 2x, saturation step at N=1.
  *create_session p99 < 5 ms at 50 clients* — the ladder's paced step at N=50 (50 clients
  at a person's pace, the default mix), op ``create_session``; the note also gives the
  saturation step's p99.
- issue 5: *trivial evaluate p50 < 1 ms at 1 client* — the ladder's saturation step at N=1
  (one request in flight: no queueing); *p99 < 20 ms at 50 clients* — the paced step at
  N=50, with the saturation step's figure in the note. Why paced: with N clients sending back
  to back, latency is N / throughput by Little's law, so a latency limit at saturation is a
  throughput target in disguise (p99 < 20 ms at 50 closed-loop clients needs > 2,500
  evaluations/s); issue 7 sets the throughput target separately. The evaluate scenario's
  figures (evaluate only, saturation) are quoted, and used when the ladder did not run
  (``--only evaluate``).
- issue 6 (the persistence scenario): *1,000-binding restore p99 < 20 ms* — cold restores
  (the client's first request after a server restart: its file read, verified and parsed);
  *typical session file < 64 KiB* — a session with 10 bindings, 20 evaluations and 50
  Transcript lines, made by evaluate; *>= 2,000 durable updates/s at 50 clients* —
  closed-loop ``update_session_state``, full durability, acknowledged per second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class TargetResult:
    group: str          # "issue 3/5/6/7" or "seed"
    name: str
    value: float | None
    limit: float
    unit: str
    higher_is_better: bool
    verdict: str        # PASS, MISS, N/A
    shown: str          # the value as printed
    note: str
    shape: str = ""     # the load shape or scenario the value comes from


def _result(group: str, name: str, value: float | None, limit: float, unit: str, where: str,
            *, higher_is_better: bool = False, na: str = "", shape: str = "") -> TargetResult:
    if value is None:
        return TargetResult(group, name, None, limit, unit, higher_is_better, "N/A", "-",
                            na or "not measured in this run", shape)
    ok = value >= limit if higher_is_better else value <= limit
    shown = f"{value:,.2f} {unit}".strip()
    if ok:
        note = where
    elif higher_is_better:
        note = f"{where}; missed: {value:,.2f} vs >= {limit:g} ({value / limit:.0%} of target)"
    else:
        note = (f"{where}; missed by {value - limit:,.2f} {unit} "
                f"({value / limit:.1f}x the limit)" if limit else where)
    return TargetResult(group, name, round(value, 3), limit, unit, higher_is_better,
                        "PASS" if ok else "MISS", shown, note, shape)


def _steps(data: dict[str, Any], target: str, shape: str | None = None) -> list[dict[str, Any]]:
    return [s for s in data["steps"] if s["target"] == target
            and (shape is None or s["shape"] == shape)]


def _at(data: dict[str, Any], target: str, shape: str, clients: int) -> dict[str, Any] | None:
    return next((s for s in _steps(data, target, shape) if s["clients"] == clients), None)


def _missing_note(data: dict[str, Any], command: str) -> str | None:
    if command in data["probe"]["missing_commands"]:
        return f"not available: server has no {command} command"
    return None


def _evaluate_1000(data: dict[str, Any]) -> TargetResult:
    name = "1,000 clients, paced, trivial evaluate p99 < 50 ms"
    na = _missing_note(data, "evaluate")
    step = _at(data, "stui_trio", "paced", 1000)
    if na or step is None or "evaluate" not in step["commands"]:
        top = max((s["clients"] for s in _steps(data, "stui_trio", "paced")), default=0)
        return _result("issue 7", name, None, 50, "ms", "", na=na or (
            f"no paced step at 1,000 clients with evaluate (ladder top: {top})"))
    c = step["commands"]["evaluate"]
    return _result("issue 7", name, c["p99_us"] / 1000, 50, "ms",
                   f"paced 1,000 clients, {c['count']} samples, {step['error_count']} errors")


def _throughput(data: dict[str, Any]) -> TargetResult:
    name = "saturation throughput >= 0.5x the echo's"
    ours = max(_steps(data, "stui_trio", "saturation"), key=lambda s: s["throughput_rps"],
               default=None)
    echo = max(_steps(data, "echo", "saturation"), key=lambda s: s["throughput_rps"],
               default=None)
    if not ours or not echo or not echo["throughput_rps"]:
        return _result("issue 7", name, None, 0.5, "x", "", na="no saturation steps")
    return _result("issue 7", name, ours["throughput_rps"] / echo["throughput_rps"], 0.5, "x",
                   f"best stui {ours['throughput_rps']:,.0f} req/s (N={ours['clients']}) vs best "
                   f"echo {echo['throughput_rps']:,.0f} req/s (N={echo['clients']})",
                   higher_is_better=True)


def _largest_memory(data: dict[str, Any]) -> dict[str, Any] | None:
    measured = [s for s in _steps(data, "stui_trio") if s["rss_per_client_kib"] is not None]
    # The first step of the largest rung: measured on a fresh server, before any load.
    return max(measured, key=lambda s: (s["clients"], s["shape"] == "paced"), default=None)


def _rss(group: str, name: str, limit_kib: float) -> Callable[[dict[str, Any]], TargetResult]:
    def check(data: dict[str, Any]) -> TargetResult:
        step = _largest_memory(data)
        if step is None:
            return _result(group, name, None, limit_kib, "KiB", "",
                           na="server RSS not readable (external server?)")
        return _result(group, name, step["rss_per_client_kib"], limit_kib, "KiB",
                       f"{step['clients']} clients with one session each: server RSS "
                       f"{step['rss_base_kib'] / 1024:.1f} -> "
                       f"{step['rss_connected_kib'] / 1024:.1f} MiB")
    return check


def _ping_ratio(group: str, limit: float) -> Callable[[dict[str, Any]], TargetResult]:
    name = f"ping p50 <= {limit:g}x the echo's at 1 client"

    def check(data: dict[str, Any]) -> TargetResult:
        for shape in ("saturation", "paced"):
            step = _at(data, "stui_trio", shape, 1)
            if step and step["commands"].get("ping", {}).get("ratio_p50"):
                c = step["commands"]["ping"]
                return _result(group, name, c["ratio_p50"], limit, "x",
                               f"{shape}, 1 client: {c['p50_us']:.0f} µs vs echo "
                               f"{c['p50_us'] / c['ratio_p50']:.0f} µs", shape=shape)
        return _result(group, name, None, limit, "x", "", na="no 1-client step with ping",
                       shape="saturation")
    return check


def _worst_paced(label: str, name: str, limit_ms: float) -> Callable[..., TargetResult]:
    def check(data: dict[str, Any]) -> TargetResult:
        rows = [(s["commands"][label]["p99_us"], s["clients"])
                for s in _steps(data, "stui_trio", "paced") if label in s["commands"]]
        if not rows:
            return _result("seed", name, None, limit_ms, "ms", "",
                           na=f"no paced step ran {label}")
        worst, at = max(rows)
        return _result("seed", name, worst / 1000, limit_ms, "ms",
                       f"worst paced p99, at N={at}")
    return check


def _session_files(data: dict[str, Any]) -> TargetResult:
    name = "< 1 MB per session file"
    sizes = [s["session_files"]["max_bytes"] for s in _steps(data, "stui_trio")
             if s["session_files"]]
    per = _persistence(data)
    extra = (f"; persistence scenario's largest (up to "
             f"{max(int(k) for k in per['files']['by_bindings']):,} bindings): "
             f"{per['files']['largest_bytes'] / 1024:,.0f} KiB" if per else "")
    if not sizes:
        return _result("seed", name, None, 1024.0, "KiB", "",
                       na="the server wrote no session files (in-memory store in this build, "
                          "or no ladder)" + extra)
    return _result("seed", name, max(sizes) / 1024, 1024.0, "KiB",
                   "largest current session file seen in the ladder" + extra)


def _no_degradation(data: dict[str, Any]) -> TargetResult:
    name = "5+ clients without degradation"
    one = _at(data, "stui_trio", "paced", 1)
    five = next((s for s in sorted(_steps(data, "stui_trio", "paced"),
                                   key=lambda s: s["clients"]) if s["clients"] >= 5), None)
    if not one or not five:
        return _result("seed", name, None, 2.0, "x", "", na="needs paced steps at 1 and 5+")
    ratios = [(five["commands"][k]["p50_us"] / one["commands"][k]["p50_us"], k)
              for k in five["commands"] if k in one["commands"] and one["commands"][k]["p50_us"]]
    if not ratios:
        return _result("seed", name, None, 2.0, "x", "", na="no op common to both steps")
    worst, label = max(ratios)
    return _result("seed", name, worst, 2.0, "x",
                   f"paced p50 at {five['clients']} vs 1 client, worst op {label}")


def _ladder_op(group: str, name: str, label: str, clients: int, stat: str, limit_ms: float,
               scenario: Callable[[dict[str, Any]], tuple[float, str] | None] | None = None,
               shape: str = "saturation") -> Callable[[dict[str, Any]], TargetResult]:
    """``stat`` (p50/p99) of op ``label`` in the ladder's ``shape`` step at ``clients``;
    ``scenario`` gives the same figure from a scenario (quoted, or used if no ladder step).
    A paced verdict quotes the saturation step's figure as well."""
    def check(data: dict[str, Any]) -> TargetResult:
        na = _missing_note(data, label)
        step = _at(data, "stui_trio", shape, clients)
        other = scenario(data) if scenario else None
        if not na and step is not None and label in step["commands"]:
            c = step["commands"][label]
            where = (f"ladder, {shape}, {clients} client(s), op {label} in the mix, "
                     f"{c['count']} samples")
            saturated = _at(data, "stui_trio", "saturation", clients)
            if shape != "saturation" and saturated and label in saturated["commands"]:
                figure = saturated["commands"][label][f"{stat}_us"] / 1000
                where += (f"; at saturation (every client back to back, so latency is N / "
                          f"throughput) {figure:,.2f} ms")
            if other:
                where += f"; {other[1]}: {other[0]:,.2f} ms"
            return _result(group, name, c[f"{stat}_us"] / 1000, limit_ms, "ms", where,
                           shape=f"{shape} (ladder)")
        if not na and other:
            return _result(group, name, other[0], limit_ms, "ms", other[1],
                           shape="saturation (evaluate scenario)")
        return _result(group, name, None, limit_ms, "ms", "", shape=shape, na=na or (
            f"no {shape} step at {clients} client(s) with {label}"
            + (" (ladder: add the rung)" if scenario is None
               else " and no evaluate-scenario row at that N")))
    return check


def _evaluate_scenario(clients: int, stat: str) -> Callable[..., tuple[float, str] | None]:
    def figure(data: dict[str, Any]) -> tuple[float, str] | None:
        ev = (data.get("scenarios") or {}).get("evaluate") or {}
        row = next((r for r in ev.get("rows", []) if r["clients"] == clients
                    and r["doit"] == "trivial" and r[f"{stat}_us"] is not None), None)
        if row is None:
            return None
        return row[f"{stat}_us"] / 1000, (f"evaluate scenario (evaluate only), {clients} "
                                          f"client(s), {row['count']} samples")
    return figure


def _persistence(data: dict[str, Any]) -> dict[str, Any] | None:
    found = (data.get("scenarios") or {}).get("persistence")
    return found if found and "files" in found else None


def _restore_1000(data: dict[str, Any]) -> TargetResult:
    name = "restore of a 1,000-binding session p99 < 20 ms"
    per = _persistence(data)
    row = ((per or {}).get("restore") or {}).get("1000")
    if not row or not row["cold"]["count"]:
        return _result("issue 6", name, None, 20, "ms", "", shape="persistence scenario",
                       na="no 1,000-binding restores in this run (persistence scenario off, "
                          "or other sizes)")
    cold, warm = row["cold"], row["warm"]
    return _result("issue 6", name, cold["p99_us"] / 1000, 20, "ms",
                   f"cold (first request after a restart), {cold['count']} restores; warm "
                   f"p99 {warm['p99_us'] / 1000:,.2f} ms ({warm['count']})",
                   shape="after restart (cold)")


def _typical_file(data: dict[str, Any]) -> TargetResult:
    name = "typical session file < 64 KiB"
    per = _persistence(data)
    if per is None:
        return _result("issue 6", name, None, 64, "KiB", "", shape="persistence scenario",
                       na="persistence scenario not run")
    files = per["files"]
    return _result("issue 6", name, files["typical_bytes"] / 1024, 64, "KiB",
                   "10 bindings, 20 evaluations, 50 Transcript lines; largest file of the "
                   f"scenario {files['largest_bytes'] / 1024:,.0f} KiB", shape="files on disk")


def _durable_updates(data: dict[str, Any]) -> TargetResult:
    name = ">= 2,000 durable acknowledged updates/s at 50 clients"
    per = _persistence(data)
    row = next((r for r in (per or {}).get("updates", []) if r["clients"] == 50), None)
    if row is None:
        return _result("issue 6", name, None, 2000, "/s", "", higher_is_better=True,
                       shape="saturation (closed loop)",
                       na="no 50-client durable-update step in this run")
    return _result("issue 6", name, row["acked_per_second"], 2000, "/s",
                   f"update_session_state, full durability, {row['acked']:,} acks, p99 "
                   f"{row['p99_us'] / 1000:,.1f} ms, {row['errors']} errors",
                   higher_is_better=True, shape="saturation (closed loop)")


def _shaped(shape: str, check: Callable[[dict[str, Any]], TargetResult],
            ) -> Callable[[dict[str, Any]], TargetResult]:
    """``check``, with the shape it reads; N/A "ladder not run" when there is no ladder."""
    def shaped(data: dict[str, Any]) -> TargetResult:
        found = check(data)
        found = attrs.evolve(found, shape=found.shape or shape)
        if not data["steps"] and found.verdict == "N/A":
            return attrs.evolve(found, note="the ladder did not run (--only)")
        return found
    return shaped


CHECKS: tuple[Callable[[dict[str, Any]], TargetResult], ...] = (
    _shaped("paced", _evaluate_1000), _shaped("saturation", _throughput),
    _shaped("connected, before load", _rss("issue 7", "<= 256 KiB RSS per connected client",
                                           256)),
    _shaped("saturation", _ping_ratio("issue 7", 2.0)),
    _shaped("saturation", _ping_ratio("issue 3", 3.0)),
    _shaped("paced", _ladder_op("issue 3", "create_session p99 < 5 ms at 50 clients",
                                "create_session", 50, "p99", 5, shape="paced")),
    _ladder_op("issue 5", "trivial evaluate p50 < 1 ms at 1 client", "evaluate", 1, "p50", 1,
               _evaluate_scenario(1, "p50")),
    _ladder_op("issue 5", "trivial evaluate p99 < 20 ms at 50 clients", "evaluate", 50, "p99",
               20, _evaluate_scenario(50, "p99"), shape="paced"),
    _restore_1000, _typical_file, _durable_updates,
    _shaped("paced", _worst_paced("create_session", "session creation < 100 ms", 100)),
    _shaped("paced", _worst_paced("restore_session", "session restoration < 500 ms", 500)),
    _shaped("connected, before load", _rss("seed", "< 10 MB RSS per client", 10 * 1024)),
    _shaped("any (ladder)", _session_files), _shaped("paced", _no_degradation),
)


def evaluate(data: dict[str, Any]) -> list[TargetResult]:
    return [check(data) for check in CHECKS]
