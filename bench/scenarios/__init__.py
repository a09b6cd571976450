"""What one benchmark client does during a step, by name.

A scenario is a function ``(client, limits, record) -> None`` that loops until
``limits.done(iterations)`` says stop, timing each request with ``record``. It sees only the
sync :class:`~stui_trio.client.Client`, so the same code runs against the real server and the
echo baseline. Issue 7's mixes (evaluations, inspect, browse, complete) register here too.
"""

from __future__ import annotations

from bench.scenarios.base import Limits, Pacer, Recorder, Scenario
from bench.scenarios.sessions import sessions_scenario

SCENARIOS: dict[str, Scenario] = {"sessions": sessions_scenario}

__all__ = ["SCENARIOS", "Limits", "Pacer", "Recorder", "Scenario"]


def names() -> list[str]:
    return sorted(SCENARIOS)

