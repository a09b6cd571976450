"""What one simulated client does: *operations*, weighted into a *mix*.

An :class:`Op` is one user action (``ping``, ``evaluate`` of ``3 + 4``, a create/close of a
session...). It is an async function over a :class:`Caller` that times each request it makes
under a *label* (the report's row name). A :class:`Mix` draws the next op at random by weight,
seeded, so the echo baseline and stui_trio see the same sequence of requests and message sizes.

The load shape lives elsewhere (:mod:`bench.harness.loadgen`): ops only ever see ``start_ns``,
the moment their first request was *due* — in the paced shape that is the scheduled send
time, so a reply that comes late because the client was still waiting on the previous one is
charged to the latency (no coordinated omission).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs


class Caller(Protocol):
    """A simulated client as ops see it (see :class:`bench.harness.loadgen.SimClient`)."""

    session_id: str
    #: Values chosen at run time for the ops (e.g. the calibrated ~10 ms doit's code).
    op_args: Mapping[str, str]

    async def call(
        self, label: str, command: str, params: Mapping[str, Any], *,
        session_id: str | None = None, start_ns: int | None = None,
    ) -> dict[str, Any] | None:
        """Send one request, record its latency under ``label``; the result, or None on error."""
        ...


OpFn = Callable[[Caller, int], Awaitable[None]]


@attrs.frozen
class Op:
    """One user action; ``needs`` is the server command whose absence makes it unavailable."""

    name: str
    run: OpFn
    needs: str
    description: str


@attrs.frozen
class Mix:
    """Ops with weights; :meth:`chooser` gives a seeded picker for one client."""

    ops: tuple[Op, ...]
    weights: tuple[float, ...]

    def chooser(self, seed: int) -> Callable[[], Op]:
        rng = random.Random(seed)
        ops, weights = list(self.ops), list(self.weights)
        return lambda: rng.choices(ops, weights)[0]

    def without(self, commands: set[str]) -> Mix:
        """This mix minus the ops whose server command is missing."""
        kept = [(op, w) for op, w in zip(self.ops, self.weights, strict=True)
                if op.needs not in commands]
        return Mix(tuple(op for op, _ in kept), tuple(w for _, w in kept))

    def describe(self) -> dict[str, float]:
        return {op.name: w for op, w in zip(self.ops, self.weights, strict=True)}
