"""Tool operations (issue 5): evaluations, inspect, browse_class, complete, in the client's session.

The harness probes the server at run start; when it answers ``UnknownCommand`` for one of
these commands, the ops needing it are dropped from the mix and the report says so.
"""

from __future__ import annotations

from bench.scenarios.base import Caller, Op

TRIVIAL_CODE = "3 + 4"
# Heavier but still interactive: ~3k message sends in the engine, a few ms at most.
HEAVY_CODE = "((1 to: 1000) inject: 0 into: [:a :b | a + (b * b)]) printString size"
INSPECT_CODE = "Array with: 1 with: 'two' with: 3.0"
BROWSE_CLASS = "OrderedCollection"
COMPLETE_CODE = "3 fact"
#: The ~10 ms doit (issue 5): a loop whose size the evaluate scenario calibrates at run start
#: (:func:`loop_code`); ops read the calibrated code from ``caller.op_args["evaluate_10ms"]``.
LOOP_TEMPLATE = "(1 to: {n}) inject: 0 into: [:a :b | a + b]"
LOOP_DEFAULT_N = 25_000


def loop_code(n: int) -> str:
    """A doit summing 1..n with a block: its time grows linearly with ``n``."""
    return LOOP_TEMPLATE.format(n=n)


async def _evaluate(caller: Caller, start_ns: int) -> None:
    await caller.call("evaluate", "evaluate", {"code": TRIVIAL_CODE},
                      session_id=caller.session_id, start_ns=start_ns)


async def _evaluate_heavy(caller: Caller, start_ns: int) -> None:
    await caller.call("evaluate_heavy", "evaluate", {"code": HEAVY_CODE},
                      session_id=caller.session_id, start_ns=start_ns)


async def _evaluate_10ms(caller: Caller, start_ns: int) -> None:
    code = caller.op_args.get("evaluate_10ms") or loop_code(LOOP_DEFAULT_N)
    await caller.call("evaluate_10ms", "evaluate", {"code": code},
                      session_id=caller.session_id, start_ns=start_ns)


async def _inspect(caller: Caller, start_ns: int) -> None:
    await caller.call("inspect", "inspect", {"code": INSPECT_CODE},
                      session_id=caller.session_id, start_ns=start_ns)


async def _browse(caller: Caller, start_ns: int) -> None:
    await caller.call("browse_class", "browse_class",
                      {"class_name": BROWSE_CLASS, "include_methods": True},
                      session_id=caller.session_id, start_ns=start_ns)


async def _complete(caller: Caller, start_ns: int) -> None:
    await caller.call("complete", "complete", {"code": COMPLETE_CODE},
                      session_id=caller.session_id, start_ns=start_ns)


EVALUATE = Op("evaluate", _evaluate, "evaluate", f"evaluate `{TRIVIAL_CODE}`")
EVALUATE_HEAVY = Op("evaluate_heavy", _evaluate_heavy, "evaluate", f"evaluate `{HEAVY_CODE}`")
EVALUATE_10MS = Op("evaluate_10ms", _evaluate_10ms, "evaluate",
                   f"evaluate a ~10 ms doit, `{LOOP_TEMPLATE.format(n='n')}` with n "
                   "calibrated at run start")
INSPECT = Op("inspect", _inspect, "inspect", f"inspect code `{INSPECT_CODE}`")
BROWSE = Op("browse_class", _browse, "browse_class",
            f"browse_class `{BROWSE_CLASS}` with methods")
COMPLETE = Op("complete", _complete, "complete", f"complete `{COMPLETE_CODE}`")
