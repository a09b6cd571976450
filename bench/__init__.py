"""The stui_trio benchmark harness: ``python -m bench`` (``--help`` for options).

It load-tests a real server *process* with a ladder of concurrent clients (default 1, 5, 25,
100, 500, 1000) in two load shapes (paced: open loop at a person's pace; saturation: back to
back), next to a plain-pyzmq echo server measured step by step in the same run, and writes a
report a person can trust at a glance (``bench/results/latest.md``). Design:
``docs/benchmarks.md``.

Layout (each part has one job):

- ``harness/cli`` — arguments, the ladder, the run from start to report.
- ``harness/servers`` — start/stop the server under test (fresh per rung) and the echo
  baseline; loopback only.
- ``harness/probe`` — which tool commands the server has (UnknownCommand -> op skipped).
- ``harness/loadgen`` — a load-generator process: many simulated clients, one socket and one
  Trio task each; ``harness/runner`` drives a few of them through a step's phases.
- ``harness/memory`` — server RSS (/proc) and session file sizes.
- ``harness/stats`` — percentiles; ``harness/targets`` — pass/fail against the targets.
- ``harness/report`` — results JSON and the rich tables; ``harness/markdown`` + ``plots`` —
  the Markdown report and PNGs; ``harness/profiling`` — a cProfile'd server step;
  ``harness/engine_bridge`` — runs ``bench/engine`` (the engine's microbenchmarks).
- ``scenarios/`` — the ops a simulated client performs and the named mixes.
- ``baseline_echo.py`` — the blocking pyzmq ROUTER echo server.
- ``engine/`` — engine microbenchmarks (the engine issue's).
- ``results/`` — ``<UTC timestamp>.json`` / ``.md`` / ``-latency.png`` / ``-memory.png`` of
  each run, ``latest.md``.
"""
