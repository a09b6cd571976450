"""The benchmark harness stays working: one real ``python -m bench --quick`` run, end to end.

It starts real server processes and load-generator processes on 127.0.0.1, so it runs once
(module-scoped) and every check reads its outputs: the JSON, the Markdown report (+ latest.md)
and the two PNG plots. The quick run includes the evaluate (issue 5) and persistence (issue 6)
scenarios in a tiny form; ``--only`` is checked with a run that measures nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.harness.loadgen import split
from bench.harness.servers import NotLoopback, check_loopback
from bench.scenarios import parse_mix

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench-results")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--results-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=90, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [json_path] = out.glob("*.json")
    return out, json.loads(json_path.read_text()), done.stdout


def test_json_has_both_targets_both_shapes_every_rung(quick_run: Any) -> None:
    _, data, _ = quick_run
    ladder, shapes = data["settings"]["ladder"], data["settings"]["shapes"]
    assert ladder == [1, 10] and set(shapes) == {"paced", "saturation"}
    seen = {(s["target"], s["shape"], s["clients"]) for s in data["steps"]}
    assert seen == {(t, sh, n) for t in ("echo", "stui_trio") for sh in shapes for n in ladder}
    for step in data["steps"]:
        assert step["workers_failed"] == [] and step["setup_errors"] == 0
        assert step["requests"] > 0 and step["throughput_rps"] > 0
        for c in step["commands"].values():
            assert 0 < c["p50_us"] <= c["p90_us"] <= c["p99_us"] <= c["max_us"]
        if step["target"] == "stui_trio":
            assert step["rss_connected_kib"] > 10_000  # a Python server is > 10 MiB
            assert step["rss_per_client_kib"] is not None
            assert step["error_count"] == 0, step["error_types"]
            assert all(c["ratio_p50"] for c in step["commands"].values())


def test_targets_all_judged(quick_run: Any) -> None:
    _, data, stdout = quick_run
    names = [t["name"] for t in data["targets"]]
    assert len(names) == 16 and len(set(names)) == 16
    assert {t["group"] for t in data["targets"]} == {"issue 3", "issue 5", "issue 6", "issue 7",
                                                     "seed"}
    judged = {t["name"]: t for t in data["targets"]}
    # measured by the quick run itself (the others need rungs or sizes quick mode skips)
    for name in ("ping p50 <= 3x the echo's at 1 client",
                 "trivial evaluate p50 < 1 ms at 1 client", "typical session file < 64 KiB"):
        assert judged[name]["verdict"] in {"PASS", "MISS"}, judged[name]
    assert judged["trivial evaluate p50 < 1 ms at 1 client"]["shape"] == "saturation (ladder)"
    for t in data["targets"]:
        assert t["shape"], t
        assert t["verdict"] in {"PASS", "MISS", "N/A"}
        assert (t["value"] is None) == (t["verdict"] == "N/A"), t
        assert t["name"] in stdout  # printed at the end, too
    # No tool command: the report says so, and the evaluate target is N/A for that reason.
    for cmd in data["probe"]["missing_commands"]:
        assert f"not available: server has no {cmd} command" in stdout


def test_markdown_report_and_plots(quick_run: Any) -> None:
    out, data, _ = quick_run
    [md] = [p for p in out.glob("*.md") if p.name != "latest.md"]
    text = md.read_text()
    assert (out / "latest.md").read_text() == text
    for heading in ("## Targets", "### paced", "### saturation", "## Throughput and memory",
                    "## Evaluate scenario (issue 5)", "## Persistence scenario (issue 6)",
                    "## Engine microbenchmarks", "## Server profile"):
        assert heading in text
    assert "engine benchmarks:" in text
    for t in data["targets"]:
        assert t["name"] in text
    pngs = sorted(out.glob("*.png"))
    assert [p.name.rsplit("-", 1)[1] for p in pngs] == ["latency.png", "memory.png"]
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
        assert f"]({png.name})" in text


def test_evaluate_scenario_in_quick_form(quick_run: Any) -> None:
    out, data, _ = quick_run
    ev = data["scenarios"]["evaluate"]
    cal = ev["calibration"]
    assert cal["n"] >= 100 and cal["engine_ms"] > 0
    assert f"`{cal['code']}`" in (out / "latest.md").read_text()  # printed with its duration
    assert {(r["clients"], r["doit"]) for r in ev["rows"]} == {
        (n, d) for n in (1, 3) for d in ("trivial", "10ms")}
    for row in ev["rows"]:
        assert row["count"] > 0 and row["errors"] == 0 and row["workers_failed"] == []
        assert 0 < row["p50_us"] <= row["p99_us"] <= row["max_us"]
    ping = ev["idle_ping"]
    assert ping["baseline"]["count"] >= 10 and ping["baseline"]["errors"] == 0
    assert [p["busy_clients"] for p in ping["under_load"]] == [1, 3]
    for p in ping["under_load"]:
        assert p["count"] >= 10 and p["errors"] == 0 and p["ratio_p50"] > 0


def test_persistence_scenario_in_quick_form(quick_run: Any) -> None:
    _, data, _ = quick_run
    per = data["scenarios"]["persistence"]
    assert set(per["restore"]) == {"10", "200"}
    for size, kinds in per["restore"].items():
        # 2 sessions x 1 restart cold (bindings counted on the way), 5 warm, 2 first uses
        assert [kinds[k]["count"] for k in ("cold", "warm", "first_use")] == [2, 5, 2], size
        assert all(kinds[k]["p50_us"] > 0 for k in kinds)
    files = per["files"]
    # more bindings, bigger file; the typical session is real STON on disk
    assert files["by_bindings"]["200"]["median_bytes"] > files["by_bindings"]["10"]["max_bytes"]
    assert 1_000 < files["typical_bytes"] <= files["largest_bytes"]
    assert [u["clients"] for u in per["updates"]] == [1, 4]
    for u in per["updates"]:
        assert u["acked"] > 0 and u["acked_per_second"] > 0 and u["errors"] == 0


def test_only_runs_the_groups_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "engine", "--no-engine",
         "--results-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [json_path] = out.glob("*.json")
    data = json.loads(json_path.read_text())
    assert data["settings"]["groups"] == [] and data["steps"] == [] and data["scenarios"] == {}
    assert all(t["verdict"] == "N/A" for t in data["targets"])
    assert "the ladder did not run" in (out / "latest.md").read_text()
    assert not list(out.glob("*.png"))
    bad = subprocess.run([sys.executable, "-m", "bench", "--only", "ladder,nonsense"],
                         cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert bad.returncode == 2 and "groups are ladder" in bad.stderr


def test_refuses_an_endpoint_off_loopback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--endpoint", "tcp://192.0.2.1:5555"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )
    assert done.returncode == 2 and "refused" in done.stdout
    for good in ("tcp://127.0.0.1:5555", "tcp://localhost:1", "tcp://[::1]:9", "ipc:///tmp/s"):
        assert check_loopback(good) == good
    for bad in ("tcp://10.0.0.1:5555", "tcp://example.com:1", "udp://127.0.0.1:1"):
        with pytest.raises(NotLoopback):
            check_loopback(bad)


def test_mix_and_split() -> None:
    assert parse_mix("all").describe()["evaluate"] == 4.0
    mix = parse_mix("ping=3,evaluate")
    assert mix.describe() == {"ping": 3.0, "evaluate": 1.0}
    assert mix.without({"evaluate"}).describe() == {"ping": 3.0}
    with pytest.raises(ValueError):
        parse_mix("nonsense=1")
    slices = split(1000, 4)
    assert [len(s) for s in slices] == [250] * 4 and slices[-1][-1] == 999
    assert [list(s) for s in split(3, 4)] == [[0], [1], [2]]


def test_py_spy_collapsed_stacks_summary() -> None:
    from bench.harness.profiling import summarise_collapsed

    text = (
        "thread (1): MainThread;<module> (a.py:1);serve (s.py:9);send (z.py:3) 30\n"
        "thread (1): MainThread;<module> (a.py:1);serve (s.py:9) 10\n"
        "thread (2): Trio thread 3;Thread._bootstrap (t.py:1);"
        "to_thread_run_sync.<locals>.worker_fn (trio/_threads.py:392);"
        "Store.save_many (s.py:7);fsync (f.py:5) 60\n"
        "thread (3): Trio thread 4;Thread._bootstrap (t.py:1);"
        "EvaluationPool._work (stui_trio/tools/evaluation_pool.py:135);"
        "Condition.wait (threading.py:331) 50\n"
        "thread (3): Trio thread 4;Thread._bootstrap (t.py:1);"
        "EvaluationPool._work (stui_trio/tools/evaluation_pool.py:141);"
        "WorkerCall.execute (w.py:99);evaluate (e.py:1) 50\n"
    )
    got = summarise_collapsed(text)
    assert got["samples"] == 200
    assert {r["function"]: r["share"] for r in got["threads"]} == {
        "worker threads running Store.save_many": 0.3, "MainThread (the Trio loop)": 0.2,
        "evaluation workers waiting for a job": 0.25, "evaluation workers running a job": 0.25}
    assert got["top_own"][0] == {"function": "fsync (f.py:5)", "samples": 60, "share": 0.3}
    # an idle worker's wait is no function's time
    assert all(not r["function"].startswith("Condition.wait") for r in got["top_own"])
    inclusive = {r["function"]: r["samples"] for r in got["top_inclusive"]}
    assert inclusive["serve (s.py:9)"] == 40 and "<module> (a.py:1)" not in inclusive


def test_every_op_and_both_shapes_against_the_echo() -> None:
    """Every op builds real requests even before the server has the commands: run them
    through real load-generator processes against the echo baseline (with an idle pinger
    and a run-time op argument in the saturation step)."""
    from bench.harness.loadgen import StepConfig
    from bench.harness.runner import run_step
    from bench.harness.servers import echo_server
    from bench.scenarios import OPS, Mix

    mix = Mix(tuple(OPS.values()), tuple(1.0 for _ in OPS))
    with echo_server() as echo:
        sat = run_step(StepConfig(target="echo", endpoint=echo.endpoint, clients=3,
                                  shape="saturation", mix=mix, seconds=1.0, max_ops=400,
                                  idle_ping_rate=50.0,
                                  op_args=(("evaluate_10ms", "3 + 4"),)),
                       server_pid=echo.pid, sessions_dir=None, rss_base_kib=None,
                       processes=2)
        paced = run_step(StepConfig(target="echo", endpoint=echo.endpoint, clients=4,
                                    shape="paced", mix=mix, seconds=1.5, max_ops=1000,
                                    rate=20.0),
                         server_pid=echo.pid, sessions_dir=None, rss_base_kib=None,
                         processes=2)
    assert sat.workers_failed == [] and sat.error_count == 0 and sat.processes == 2
    # every op ran (create_session also closes the session it made); client 0 only pinged
    assert set(sat.commands) == set(OPS) | {"close_session", "idle_ping"}
    assert 20 <= sat.commands["idle_ping"].count <= 100
    assert sat.requests > 100 and sat.server_cpu_s is not None
    # open loop: 4 clients x 20/s x 1.5 s = 120 ops expected (Poisson; wide bounds)
    ops = sum(s.count for k, s in paced.commands.items() if k != "close_session")
    assert paced.error_count == 0 and 50 <= ops <= 220, ops
