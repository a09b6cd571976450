"""The targets, checked against a run's results: issue 7's own and the seed's, pass/fail.

Each :class:`TargetResult` says the measured value, the limit, PASS / MISS / N/A, and a note
(where it was measured; for a MISS, by how much). Definitions, so the verdicts can be argued:

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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class TargetResult:
    group: str          # "issue 7" or "seed"
    name: str
    value: float | None
    limit: float
    unit: str
    higher_is_better: bool
    verdict: str        # PASS, MISS, N/A
    shown: str          # the value as printed
    note: str


def _result(group: str, name: str, value: float | None, limit: float, unit: str, where: str,
            *, higher_is_better: bool = False, na: str = "") -> TargetResult:
    if value is None:
        return TargetResult(group, name, None, limit, unit, higher_is_better, "N/A", "-",
                            na or "not measured in this run")
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
                        "PASS" if ok else "MISS", shown, note)


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


def _ping_ratio(data: dict[str, Any]) -> TargetResult:
    name = "ping p50 <= 2x the echo's at 1 client"
    for shape in ("saturation", "paced"):
        step = _at(data, "stui_trio", shape, 1)
        if step and step["commands"].get("ping", {}).get("ratio_p50"):
            c = step["commands"]["ping"]
            return _result("issue 7", name, c["ratio_p50"], 2.0, "x",
                           f"{shape}, 1 client: {c['p50_us']:.0f} µs vs echo "
                           f"{c['p50_us'] / c['ratio_p50']:.0f} µs")
    return _result("issue 7", name, None, 2.0, "x", "", na="no 1-client step with ping")


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
    if not sizes:
        return _result("seed", name, None, 1024.0, "KiB", "",
                       na="the server wrote no session files (in-memory store in this build)")
    return _result("seed", name, max(sizes) / 1024, 1024.0, "KiB", "largest file seen")


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


CHECKS: tuple[Callable[[dict[str, Any]], TargetResult], ...] = (
    _evaluate_1000, _throughput, _rss("issue 7", "<= 256 KiB RSS per connected client", 256),
    _ping_ratio,
    _worst_paced("create_session", "session creation < 100 ms", 100),
    _worst_paced("restore_session", "session restoration < 500 ms", 500),
    _rss("seed", "< 10 MB RSS per client", 10 * 1024), _session_files, _no_degradation,
)


def evaluate(data: dict[str, Any]) -> list[TargetResult]:
    return [check(data) for check in CHECKS]
