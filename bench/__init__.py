"""The stui_trio benchmark harness: ``python -m bench`` (``--help`` for options).

It load-tests a real server *process* with N concurrent client *processes* and reports
latency percentiles per command, next to a plain-pyzmq echo server measured in the same run
(the transport's floor), so every figure is also a ratio.

Layout (issue 7 grows it; each part has one job):

- ``harness/`` — the machinery: ``cli`` (arguments, the ladder of client counts),
  ``servers`` (start/stop the server under test and the echo baseline, loopback only),
  ``runner`` (fork N worker processes, start them together, collect samples), ``stats``
  (percentiles), ``report`` (the table, ratios, targets, ``results/<UTC date>.json``).
- ``scenarios/`` — what one client does in a step (``sessions``: create_session, ping,
  update_session_state, close_session). New mixes register in ``scenarios/__init__.py``.
- ``baseline_echo.py`` — the blocking pyzmq ROUTER echo server.
- ``engine/`` — engine microbenchmarks (the engine helper's).
- ``results/`` — JSON results of runs.
"""
