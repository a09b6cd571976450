"""Commands that misbehave on purpose, for tests only.

Registered only when ``enable_test_commands`` is set (``STUI_ENABLE_TEST_COMMANDS=1``), never
by default: ``test_crash`` raises a plain exception inside the client task (to prove a crash is
logged, answered ``InternalError`` and the task restarted), ``test_sleep`` holds the client's
queue for a while (to prove ``ping`` and the statistics do not wait behind it).
"""

from __future__ import annotations

from typing import Any

import attrs
import trio

from stui_trio.protocol.commands import CommandContext, CommandRegistry
from stui_trio.protocol.errors import InvalidRequest


@attrs.frozen
class SleepParams:
    seconds: float = 1.0


class DeliberateCrash(RuntimeError):
    """Raised by ``test_crash``: a stand-in for a bug in a handler."""


async def test_crash(ctx: CommandContext, _params: Any) -> dict[str, Any]:
    raise DeliberateCrash(f"test_crash asked for by {ctx.client_id}")


async def test_sleep(_ctx: CommandContext, params: SleepParams) -> dict[str, Any]:
    if not 0 <= params.seconds <= 60:
        raise InvalidRequest("field 'seconds' must be within 0..60", {"field": "seconds"})
    await trio.sleep(params.seconds)
    return {"slept": params.seconds}


async def test_client_state(ctx: CommandContext, _params: Any) -> dict[str, Any]:
    """Counts calls in the client context: shows whether the context survived."""
    assert ctx.client is not None
    calls = ctx.client.extensions.get("test_calls", 0) + 1
    ctx.client.extensions["test_calls"] = calls
    return {"calls": calls, "started_at": ctx.client.started_at}


async def test_inline_probe(ctx: CommandContext, _params: Any) -> dict[str, Any]:
    """Inline: sees the client's live context while its task runs (how interrupt works)."""
    if ctx.client is None:
        return {"has_client_task": False}
    return {"has_client_task": True, "calls": ctx.client.extensions.get("test_calls", 0)}


def register(registry: CommandRegistry) -> None:
    registry.register("test_crash", test_crash, description="TEST BUILD: crash on purpose")
    registry.register(
        "test_sleep", test_sleep, params=SleepParams, description="TEST BUILD: sleep in queue"
    )
    registry.register(
        "test_client_state", test_client_state, description="TEST BUILD: client context probe"
    )
    registry.register(
        "test_inline_probe", test_inline_probe, inline=True,
        description="TEST BUILD: inline view of the client context",
    )
