"""The targets of issues 3, 5 and 6 judged on a results dict, and the scenarios' tables.

The quick run (``test_bench_quick.py``) has no 50-client rung, no 1,000-binding session and no
50-client durable updates, so the verdicts on those are checked here on a results dict shaped
like a full run's (the JSON schema the harness writes), with figures picked to land on each
side of the limits.
"""

from __future__ import annotations

from typing import Any

from bench.harness import scenario_report, targets


def _cmd(p50_ms: float, p99_ms: float, ratio_p50: float | None = None) -> dict[str, Any]:
    return {"count": 500, "p50_us": p50_ms * 1000, "p90_us": p99_ms * 900,
            "p99_us": p99_ms * 1000, "max_us": p99_ms * 1100, "mean_us": p50_ms * 1000,
            "ratio_p50": ratio_p50, "ratio_p99": None}


def _step(clients: int, commands: dict[str, Any], shape: str = "saturation") -> dict[str, Any]:
    return {"target": "stui_trio", "shape": shape, "clients": clients,
            "commands": commands, "throughput_rps": 1000.0, "error_count": 0,
            "rss_per_client_kib": None, "session_files": None}


def _summary(p50_ms: float, p99_ms: float, count: int = 20) -> dict[str, Any]:
    return {"count": count, "p50_us": p50_ms * 1000, "p90_us": p99_ms * 1000,
            "p99_us": p99_ms * 1000, "max_us": p99_ms * 1000}


def _data(*, with_ladder: bool = True) -> dict[str, Any]:
    steps = [
        _step(1, {"ping": _cmd(0.3, 0.5, ratio_p50=2.5), "evaluate": _cmd(0.8, 2.0)}),
        _step(50, {"create_session": _cmd(30.0, 40.0), "evaluate": _cmd(10.0, 60.0)}),
        _step(50, {"create_session": _cmd(3.0, 4.0), "evaluate": _cmd(10.0, 30.0)}, "paced"),
    ] if with_ladder else []
    evaluate = {
        "settings": {"seconds": 4.0},
        "calibration": {"n": 30000, "code": "(1 to: 30000) inject: 0 into: [:a :b | a + b]",
                        "engine_ms": 9.9, "round_trip_ms": 10.4, "repeats": 7},
        "rows": [{"clients": n, "doit": doit, "count": 100, "p50_us": p50 * 1000,
                  "p90_us": p99 * 1000, "p99_us": p99 * 1000, "max_us": p99 * 1000,
                  "errors": 0, "setup_errors": 0, "throughput_rps": 100.0,
                  "workers_failed": []}
                 for n, doit, p50, p99 in ((1, "trivial", 1.5, 3.0), (50, "trivial", 9, 15),
                                           (1, "10ms", 10, 12), (50, "10ms", 500, 600))],
        "idle_ping": {"rate_per_second": 50.0, "baseline": _summary(0.5, 1.5) | {"errors": 0},
                      "baseline_facts": {"workers_failed": []},
                      "under_load": [{"busy_clients": 50, **_summary(7, 80), "errors": 0,
                                      "ratio_p50": 14.0, "ratio_p99": 53.3}]},
    }
    persistence = {
        "settings": {"sessions_per_size": 4, "restarts": 5},
        "build_seconds_per_session": {"1000": 0.1},
        "files": {"typical_bytes": 80 * 1024, "largest_bytes": 2_000_000,
                  "by_bindings": {"1000": {"median_bytes": 185_000, "max_bytes": 185_500,
                                           "with_backups_bytes": 400_000}}},
        "restore": {"1000": {"cold": _summary(12, 18), "warm": _summary(1, 2),
                             "first_use": _summary(8, 30)}},
        "updates": [{"clients": 1, "acked": 700, "acked_per_second": 700.0, "p50_us": 1200.0,
                     "p99_us": 3000.0, "errors": 0, "server_cpu_us_per_update": 800.0,
                     "workers_failed": []},
                    {"clients": 50, "acked": 9000, "acked_per_second": 1800.0,
                     "p50_us": 25000.0, "p99_us": 50000.0, "errors": 0,
                     "server_cpu_us_per_update": 500.0, "workers_failed": []}],
    }
    return {"steps": steps, "probe": {"missing_commands": [], "notes": []},
            "scenarios": {"evaluate": evaluate, "persistence": persistence}}


def _judged(data: dict[str, Any]) -> dict[str, targets.TargetResult]:
    return {t.name: t for t in targets.evaluate(data)}


def test_ladder_targets_read_their_shapes_steps() -> None:
    """p50 at 1 client: the saturation step; p99 at 50 clients: the paced step (latency at
    a person's pace), with the saturation step's figure quoted in the note."""
    got = _judged(_data())
    ping3, ping2 = (got["ping p50 <= 3x the echo's at 1 client"],
                    got["ping p50 <= 2x the echo's at 1 client"])
    assert (ping3.verdict, ping2.verdict, ping3.value) == ("PASS", "MISS", 2.5)
    assert ping3.group == "issue 3" and ping3.shape == "saturation"
    create = got["create_session p99 < 5 ms at 50 clients"]
    assert (create.verdict, create.value, create.shape) == ("PASS", 4.0, "paced (ladder)")
    assert "at saturation" in create.note and "40.00 ms" in create.note
    p50 = got["trivial evaluate p50 < 1 ms at 1 client"]
    assert (p50.verdict, p50.value) == ("PASS", 0.8)  # the ladder's, not the scenario's 1.5
    assert "evaluate scenario" in p50.note and "1.50 ms" in p50.note
    p99 = got["trivial evaluate p99 < 20 ms at 50 clients"]
    assert (p99.verdict, p99.value, p99.group) == ("MISS", 30.0, "issue 5")
    assert "1.5x the limit" in p99.note and "60.00 ms" in p99.note


def test_without_a_ladder_the_evaluate_targets_use_the_scenario() -> None:
    got = _judged(_data(with_ladder=False))
    p50 = got["trivial evaluate p50 < 1 ms at 1 client"]
    assert (p50.verdict, p50.value) == ("MISS", 1.5)
    assert p50.shape == "saturation (evaluate scenario)"
    assert got["trivial evaluate p99 < 20 ms at 50 clients"].verdict == "PASS"
    create = got["create_session p99 < 5 ms at 50 clients"]
    assert create.verdict == "N/A" and "ladder did not run" in create.note


def test_persistence_targets() -> None:
    got = _judged(_data())
    restore = got["restore of a 1,000-binding session p99 < 20 ms"]
    assert (restore.verdict, restore.value, restore.group) == ("PASS", 18.0, "issue 6")
    assert restore.shape == "after restart (cold)" and "warm p99 2.00 ms" in restore.note
    typical = got["typical session file < 64 KiB"]
    assert (typical.verdict, typical.value) == ("MISS", 80.0)
    updates = got[">= 2,000 durable acknowledged updates/s at 50 clients"]
    assert (updates.verdict, updates.value, updates.higher_is_better) == ("MISS", 1800.0, True)
    assert "90% of target" in updates.note
    files = got["< 1 MB per session file"]
    assert files.verdict == "N/A" and "1,953 KiB" in files.note  # the scenario's largest, quoted


def test_nothing_measured_means_not_applicable() -> None:
    data = {"steps": [], "probe": {"missing_commands": ["evaluate"], "notes": []},
            "scenarios": {}}
    for t in targets.evaluate(data):
        assert t.verdict == "N/A" and t.value is None and t.shape, t


def test_scenario_tables() -> None:
    data = _data()
    text = "\n".join(scenario_report.markdown(data))
    assert "## Evaluate scenario (issue 5)" in text and "## Persistence scenario (issue 6)" in text
    assert "`(1 to: 30000) inject: 0 into: [:a :b | a + b]`" in text
    assert "| 50 | 7.00 | 80.00 | 14.00 | 53.30 | 20 | 0 |" in text  # idle ping under load
    assert "| 1,000 | 180.7 | 390.6 | 0.1 | 12.00 | 18.00 | 1.00 | 2.00 | 8.00 | 30.00 |" in text
    assert scenario_report.failures(data["scenarios"]) == []
    broken = {"persistence": {"failed": "RuntimeError: b1 came back as nil"},
              "evaluate": {"not_run": "not available: server has no evaluate command"}}
    assert scenario_report.failures(broken) == [
        "persistence scenario: RuntimeError: b1 came back as nil"]
    assert "not run: not available" in "\n".join(scenario_report.markdown({"scenarios": broken}))
