"""Persistence traffic (issue 6): workspaces of real Smalltalk bindings, and durable updates.

- :func:`binding_doits` — the doits that give a session ``count`` workspace bindings: each a
  run of top-level assignments to undeclared variables (``b17 := 'value 17'.``), which the
  server binds in the session's workspace as a Pharo Playground does, and saves durably
  before it replies. Several doits of at most :data:`ASSIGNMENTS_PER_DOIT` assignments each:
  one doit of 10,000 statements would mostly measure the compiler.
- :func:`typical_doits` — what a *typical* session has done: 10 bindings, 20 evaluations in
  its history, 50 Transcript lines (the same shape ``typical_state`` describes in JSON).
- :data:`DURABLE_UPDATE` — ``update_session_state`` with :func:`typical_state` (~4 KB of
  JSON, different every time), the op of the durable-updates measurement.
"""

from __future__ import annotations

import time
from typing import Any

from bench.scenarios.base import Caller, Op

ASSIGNMENTS_PER_DOIT = 1_000


def binding_value(i: int) -> str:
    """The Smalltalk expression bound to ``b<i>``: integers, strings, arrays, points."""
    kind = i % 4
    if kind == 0:
        return str(i * 7919)
    if kind == 1:
        return f"'value {i}'"
    if kind == 2:
        return f"#({i} #sym{i} 'x')"
    return f"{i} @ {i + 1}"


def binding_doits(count: int, per_doit: int = ASSIGNMENTS_PER_DOIT) -> list[str]:
    """Doits binding ``b0`` .. ``b<count-1>`` in the session's workspace."""
    return [" ".join(f"b{i} := {binding_value(i)}." for i in range(start,
                                                                    min(count, start + per_doit)))
            for start in range(0, count, per_doit)]


def typical_doits() -> list[str]:
    """20 doits: 10 bind a variable each, 10 print 5 Transcript lines each."""
    doits = [f"v{i} := OrderedCollection new add: {i}; add: 'item {i}'; yourself"
             for i in range(10)]
    doits += [f"1 to: 5 do: [:k | Transcript show: 'line ', k printString, ' of doit {i}'; cr]"
              for i in range(10)]
    return doits


def typical_state(n: int) -> dict[str, Any]:
    """A typical session's state as a client would send it: 10 bindings, 20 history entries,
    50 Transcript lines, and a counter ``n`` (tests/persistence/measure_throughput.py's)."""
    return {
        "workspace_context": {
            f"var{i}": {"print_string": f"an OrderedCollection({i} {n})",
                        "class": "OrderedCollection", "object_ref": f"obj-{i}"}
            for i in range(10)
        },
        "history": [{"code": f"var{i} := OrderedCollection new add: {i}; yourself",
                     "result": f"an OrderedCollection({i})", "ok": True} for i in range(20)],
        "transcript": [f"line {i} of output {n}" for i in range(50)],
        "counter": n,
    }


async def _durable_update(caller: Caller, start_ns: int) -> None:
    # A different state each time (the clock as the counter), so every save writes anew.
    await caller.call("durable_update", "update_session_state",
                      {"state_data": typical_state(time.perf_counter_ns())},
                      session_id=caller.session_id, start_ns=start_ns)


DURABLE_UPDATE = Op("durable_update", _durable_update, "update_session_state",
                    "update_session_state with a typical session's state (~4 KB JSON: 10 "
                    "bindings, 20 history entries, 50 Transcript lines), acknowledged once "
                    "durable")
