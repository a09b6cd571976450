"""The stui_trio benchmark harness: ``python -m bench`` (``--help`` for options).

It load-tests a real server *process* with a ladder of concurrent clients (default 1, 5, 25,
50, 100, 500, 1000) in two load shapes (paced: open loop at a person's pace; saturation: back
to back), next to a plain-pyzmq echo server measured step by step in the same run; runs the
evaluate scenario (issue 5) and the persistence scenario (issue 6); and writes a report a
person can trust at a glance (``bench/results/latest.md``). ``--only`` picks groups (ladder,
profile, evaluate, persistence, engine). Design: ``docs/benchmarks.md``.

Layout (each part has one job):

- ``harness/cli`` — arguments, the groups, the run from start to report.
- ``harness/ladder`` — the client ladder: a fresh server per rung, echo and stui_trio steps.
- ``harness/evaluate_scenario`` — issue 5: calibrated ~10 ms doit, trivial and 10 ms evaluate
  latency at 1/5/50 clients, an idle client's ping under load.
- ``harness/persistence_scenario`` — issue 6: restore latency by workspace size (cold after a
  restart, warm, first use), session file sizes, durable acknowledged updates per second.
- ``harness/servers`` — start/stop the server under test (fresh per rung) and the echo
  baseline; loopback only.
- ``harness/probe`` — which tool commands the server has (UnknownCommand -> op skipped).
- ``harness/loadgen`` — a load-generator process: many simulated clients, one socket and one
  Trio task each; ``harness/runner`` drives a few of them through a step's phases.
- ``harness/memory`` — server RSS (/proc) and session file sizes.
- ``harness/stats`` — percentiles; ``harness/targets`` — pass/fail against the targets.
- ``harness/report`` — results JSON and the rich tables; ``harness/markdown`` + ``plots`` —
  the Markdown report and PNGs; ``harness/scenario_report`` — the scenarios' tables;
  ``harness/cells`` — number formats; ``harness/profiling`` — a profiled server step;
  ``harness/engine_bridge`` — runs ``bench/engine`` (the engine's microbenchmarks).
- ``scenarios/`` — the ops a simulated client performs and the named mixes.
- ``baseline_echo.py`` — the blocking pyzmq ROUTER echo server.
- ``engine/`` — engine microbenchmarks (the engine issue's).
- ``results/`` — ``<UTC timestamp>.json`` / ``.md`` / ``-latency.png`` / ``-memory.png`` of
  each run, ``latest.md``.
"""
