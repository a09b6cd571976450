"""Server-level commands: ``ping``, ``system_info``, ``get_session_statistics``,
``validate_feature_access``. ``ping`` and the statistics are inline: they answer from the
reader, never waiting behind a client's long request.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
from typing import Any

import attrs

from stui_trio import PROTOCOL_VERSION, __version__
from stui_trio.auth.tiers import decide, tier_for_token
from stui_trio.protocol.commands import CommandContext, CommandRegistry
from stui_trio.protocol.errors import InvalidRequest


@attrs.frozen
class PingParams:
    message: Any = None


@attrs.frozen
class SystemInfoParams:
    info_type: str | None = None


@attrs.frozen
class FeatureParams:
    feature: str
    session_id: str | None = None


async def ping(ctx: CommandContext, params: PingParams) -> dict[str, Any]:
    return {
        "message": params.message if params.message is not None else "pong",
        "status": "ready",
        "uptime": round(ctx.server.uptime(), 3),
        "server_version": __version__,
        "protocol_version": PROTOCOL_VERSION,
    }


def _info_sections(ctx: CommandContext) -> dict[str, dict[str, Any]]:
    return {
        "server": {
            "server_version": __version__,
            "protocol_version": PROTOCOL_VERSION,
            "uptime": round(ctx.server.uptime(), 3),
            "endpoints": list(ctx.config.endpoints),
            "commands": ctx.registry.names(),
        },
        "platform": {
            "python": sys.version.split()[0],
            "implementation": platform.python_implementation(),
            "system": platform.system(),
            "pid": os.getpid(),
            "gil_switch_interval_ms": round(sys.getswitchinterval() * 1000.0, 3),
            "gc_thresholds": list(gc.get_threshold()),
            "gc_frozen_objects": gc.get_freeze_count(),
        },
        "clients": {
            "connected_clients": ctx.server.connected_clients(),
            "clients_with_sessions": ctx.sessions.clients_with_sessions,
            "total_sessions": ctx.sessions.total_sessions,
            "max_concurrent_clients": ctx.config.max_concurrent_clients,
        },
        "image": dict(ctx.server.image_info()),
    }


async def system_info(ctx: CommandContext, params: SystemInfoParams) -> dict[str, Any]:
    sections = _info_sections(ctx)
    if params.info_type is None or params.info_type == "all":
        return sections
    if params.info_type not in sections:
        raise InvalidRequest(
            f"field 'info_type' must be one of {['all', *sections]} (got {params.info_type!r})",
            {"field": "info_type"},
        )
    return {params.info_type: sections[params.info_type]}


async def get_session_statistics(ctx: CommandContext, _params: Any) -> dict[str, Any]:
    counters = ctx.sessions.counters
    return {
        "total_sessions": ctx.sessions.total_sessions,
        "active_sessions": ctx.sessions.active_sessions(),
        "active_clients": ctx.sessions.clients_with_sessions,
        "connected_clients": ctx.server.connected_clients(),
        "max_sessions_per_client": ctx.config.max_sessions_per_client,
        "max_concurrent_clients": ctx.config.max_concurrent_clients,
        "default_timeout": ctx.config.session_timeout,
        "cleanup_interval": ctx.config.cleanup_interval,
        "uptime": round(ctx.server.uptime(), 3),
        "sessions_created": counters.created,
        "sessions_closed": counters.closed,
        "sessions_expired": counters.expired,
        "sweeps": counters.sweeps,
        "last_sweep_expired": counters.last_sweep_expired,
        "requests": dict(ctx.server.request_counters()),
        # The durable store's counters (group commit, disk sweep), when there is one.
        **({"storage": storage()} if (storage := getattr(ctx.sessions.store, "stats", None))
           else {}),
    }


async def validate_feature_access(ctx: CommandContext, params: FeatureParams) -> dict[str, Any]:
    tier = tier_for_token(ctx.config, ctx.request.auth_token)
    expires_at = None
    if params.session_id is not None:
        # A session's tier was fixed when it was created; its expiry bounds the grant.
        await ctx.sessions.ensure_client(ctx.client_id)
        session = ctx.sessions.peek(ctx.client_id, params.session_id)
        if ctx.request.auth_token is None:
            tier = session.subscription_tier
        expires_at = session.metadata(ctx.sessions.now())["expires_at"]
    decision = decide(ctx.config, tier, params.feature)
    out: dict[str, Any] = {
        "feature": decision.feature,
        "access_granted": decision.access_granted,
        "subscription_tier": decision.subscription_tier,
        "minimum_tier": decision.minimum_tier,
        "expires_at": expires_at,
    }
    if decision.reason:
        out["reason"] = decision.reason
    return out


def register(registry: CommandRegistry) -> None:
    registry.register(
        "ping", ping, params=PingParams, needs_client=False, inline=True,
        description="liveness and versions",
    )
    registry.register(
        "system_info", system_info, params=SystemInfoParams, needs_client=False, inline=True,
        description="server, platform, client and image facts",
    )
    registry.register(
        "get_session_statistics", get_session_statistics, needs_client=False, inline=True,
        description="session and request counters",
    )
    registry.register(
        "validate_feature_access", validate_feature_access, params=FeatureParams, inline=True,
        description="does this client's tier include a feature",
    )
