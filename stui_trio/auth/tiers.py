"""Subscription tiers and feature access (``validate_feature_access``).

The tier table lives in :class:`~stui_trio.config.ServerConfig`: tiers in ascending order, each
adding features to those of the tiers before it (so ``remote_debugger``, listed under ``pro``,
is granted to ``pro`` and ``team``). A client's tier comes from its ``auth_token`` (the
``auth_tokens`` table); without a token it is ``default_tier``. A token the server does not know
is ``AuthenticationFailed``: a client never gets a tier by claiming it.
"""

from __future__ import annotations

import hmac

import attrs

from stui_trio.config import ServerConfig
from stui_trio.protocol.errors import AuthenticationFailed


@attrs.frozen
class FeatureDecision:
    feature: str
    access_granted: bool
    subscription_tier: str
    reason: str | None
    minimum_tier: str | None


def tier_for_token(config: ServerConfig, auth_token: str | None) -> str:
    """The tier an auth token grants; ``default_tier`` without one."""
    if auth_token is None:
        return config.default_tier
    found: str | None = None
    for known, tier in config.auth_tokens.items():
        # Constant-time compare: do not leak how much of a token matched.
        if hmac.compare_digest(known.encode(), auth_token.encode()):
            found = tier
    if found is None:
        raise AuthenticationFailed(
            "auth_token is not one this server knows; check the token, or omit it to use the "
            f"{config.default_tier!r} tier"
        )
    return found


def features_of(config: ServerConfig, tier: str) -> frozenset[str]:
    granted: set[str] = set()
    for name, features in config.tiers.items():
        granted.update(features)
        if name == tier:
            break
    return frozenset(granted)


def minimum_tier(config: ServerConfig, feature: str) -> str | None:
    for name, features in config.tiers.items():
        if feature in features:
            return name
    return None


def decide(config: ServerConfig, tier: str, feature: str) -> FeatureDecision:
    needed = minimum_tier(config, feature)
    if needed is None:
        return FeatureDecision(
            feature, False, tier, f"unknown feature {feature!r}; known: "
            f"{sorted(f for fs in config.tiers.values() for f in fs)}", None,
        )
    if feature in features_of(config, tier):
        return FeatureDecision(feature, True, tier, None, needed)
    return FeatureDecision(
        feature, False, tier,
        f"feature {feature!r} needs the {needed!r} tier or better; this client has {tier!r}",
        needed,
    )
