"""The tools layer's per-session limits come from the server's configuration (flags here)."""

from __future__ import annotations

from tests.conftest import WireClient


def test_history_and_transcript_capacities_are_configurable(start_server) -> None:
    server = start_server("--history-capacity", "2", "--transcript-capacity", "3",
                          "--session-store", "memory")
    with WireClient(server.endpoint, "limits") as client:
        sid = client.ok("create_session")["session_id"]
        for i in range(5):
            client.ok("evaluate", parameters={
                "session_id": sid, "code": f"Transcript show: 'line {i}'. {i}"})
        history = client.ok("get_history", parameters={"session_id": sid})["entries"]
        assert [e["result"] for e in history] == ["3", "4"]
        transcript = client.ok("get_transcript", parameters={"session_id": sid})
        assert [e["text"] for e in transcript["entries"]] == ["line 2", "line 3", "line 4"]
        assert transcript["missed"] == 2


def test_completion_limit_is_configurable(start_server) -> None:
    server = start_server("--completion-limit", "3", "--session-store", "memory")
    with WireClient(server.endpoint, "limits2") as client:
        sid = client.ok("create_session")["session_id"]
        result = client.ok("complete", parameters={"session_id": sid, "code": "3 a"})
        assert len(result["completions"]) == 3  # SmallInteger understands many more a*


def test_gil_switch_interval_and_gc_threshold_are_set_by_the_server(start_server) -> None:
    default = start_server("--session-store", "memory")
    tuned = start_server("--gil-switch-interval-ms", "2.5", "--gc-young-threshold", "2000",
                         "--session-store", "memory")
    with WireClient(default.endpoint, "gil") as a, WireClient(tuned.endpoint, "gil") as b:
        plain, changed = a.ok("system_info")["platform"], b.ok("system_info")["platform"]
        assert plain["gil_switch_interval_ms"] == 1.0 and changed["gil_switch_interval_ms"] == 2.5
        assert plain["gc_thresholds"][0] == 10_000 and changed["gc_thresholds"][0] == 2_000
        # the booted image was frozen out of the collector's scans once the server was ready
        assert plain["gc_frozen_objects"] > 10_000
