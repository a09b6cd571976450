"""The operations simulated clients perform, and the named mixes of them.

- :mod:`.base` — :class:`Op`, :class:`Mix`, the :class:`Caller` ops talk to.
- :mod:`.sessions` — ping, create (+close), restore, update a session.
- :mod:`.tools` — trivial, heavy and ~10 ms evaluate, inspect, browse_class, complete.
- :mod:`.persistence` — binding doits, a typical session, durable updates (issue 6).

``--mix all`` (the default) is both; ``--mix sessions`` or ``--mix tools`` one family; or
weights by op name, ``--mix evaluate=4,ping=1``. Issues that add commands add ops here.
"""

from __future__ import annotations

from bench.scenarios.base import Caller, Mix, Op
from bench.scenarios.persistence import DURABLE_UPDATE
from bench.scenarios.sessions import CREATE, PING, RESTORE, UPDATE
from bench.scenarios.tools import (
    BROWSE,
    COMPLETE,
    EVALUATE,
    EVALUATE_10MS,
    EVALUATE_HEAVY,
    INSPECT,
)

OPS: dict[str, Op] = {op.name: op for op in (
    PING, CREATE, RESTORE, UPDATE, EVALUATE, EVALUATE_HEAVY, INSPECT, BROWSE, COMPLETE,
    EVALUATE_10MS, DURABLE_UPDATE)}

# Weights: a person mostly evaluates small things and edits; heavy work and browsing are rarer.
_SESSIONS = {"ping": 1.0, "create_session": 1.0, "restore_session": 1.0,
             "update_session_state": 2.0}
_TOOLS = {"evaluate": 4.0, "evaluate_heavy": 1.0, "inspect": 1.0, "browse_class": 1.0,
          "complete": 2.0}
MIXES: dict[str, dict[str, float]] = {
    "sessions": _SESSIONS, "tools": _TOOLS, "all": {**_SESSIONS, **_TOOLS},
}

__all__ = ["MIXES", "OPS", "Caller", "Mix", "Op", "parse_mix"]


def parse_mix(text: str) -> Mix:
    """A mix from a name in :data:`MIXES` or ``op=weight,op=weight``; ValueError if wrong."""
    weights = MIXES.get(text)
    if weights is None:
        weights = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, weight = part.partition("=")
            if name not in OPS:
                raise ValueError(f"unknown op {name!r}; known: {', '.join(OPS)}")
            weights[name] = float(weight or 1)
            if weights[name] <= 0:
                raise ValueError(f"weight of {name!r} must be > 0")
    if not weights:
        raise ValueError("empty mix")
    return Mix(tuple(OPS[n] for n in weights), tuple(weights.values()))
