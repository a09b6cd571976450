"""Measure acknowledged update_session_state/s against a real server (not a test).

    .venv/bin/python tests/persistence/measure_throughput.py [--clients 1,50] [--seconds 5]
        [--durability full|relaxed] [--store durable|memory]

A thin front end of the benchmark's measurement (``bench/harness/persistence_scenario.py``,
``durable_updates``; ``python -m bench --only persistence`` runs it as part of issue 6's
scenario): a fresh ``python -m stui_trio`` per client count, N clients with one session and one
socket each, exactly one request in flight per client (closed loop), each update a typical
session's state (10 bindings, 20 history entries, 50 Transcript lines, a changing counter).
Prints acknowledged updates/s and latency p50/p99.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from bench.harness.evaluate_scenario import Run  # noqa: E402
from bench.harness.persistence_scenario import PersistenceSettings, durable_updates  # noqa: E402
from bench.harness.runner import DEFAULT_PROCESSES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="1,50")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--durability", default="full")
    parser.add_argument("--store", default="durable")
    args = parser.parse_args()
    settings = PersistenceSettings(
        update_clients=tuple(int(x) for x in args.clients.split(",")),
        update_seconds=args.seconds)
    rows = durable_updates(settings, Run(processes=DEFAULT_PROCESSES),
                           ("--durability", args.durability, "--session-store", args.store))
    for row in rows:
        print(f"{args.store}/{args.durability} clients={row['clients']}: "
              f"{row['acked_per_second']:,.0f} acked updates/s, p50 {row['p50_us'] / 1000:.2f} "
              f"ms, p99 {row['p99_us'] / 1000:.2f} ms, {row['errors']} errors")


if __name__ == "__main__":
    main()
