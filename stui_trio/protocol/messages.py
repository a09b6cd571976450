"""The protocol's values: a decoded request and the reply to it, independent of dialect.

The edge (``protocol.edge``) turns raw bytes into a :class:`Request` or an error; the server
answers with a :class:`Reply`; ``protocol.dialects`` turns the reply back into the JSON shape of
the dialect the client spoke. Everything between speaks only these values.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs


class Dialect(enum.Enum):
    """Which JSON shape a request arrived in (the reply uses the same)."""

    COMMAND = "command"
    ENVELOPE = "envelope"


@attrs.frozen
class Request:
    """One client request, validated at the edge.

    ``parameters`` holds the command's raw parameters (the top-level fallback already merged
    in); each command structures them into its own typed spec before its handler runs.
    """

    id: str
    command: str
    client_id: str | None
    dialect: Dialect
    parameters: Mapping[str, Any] = attrs.field(factory=dict)
    session_id: str | None = None
    auth_token: str | None = None
    #: Envelope dialect only: the request_type the client used, echoed in the response type.
    request_type: str | None = None


@attrs.frozen
class Reply:
    """The answer to one request: a result mapping, or an error (type, message, details)."""

    id: str
    client_id: str | None
    dialect: Dialect
    result: Mapping[str, Any] | None = None
    error_type: str | None = None
    error: str | None = None
    details: Mapping[str, Any] | None = None
    request_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_type is None


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with milliseconds and a ``Z``: ``2026-11-27T01:23:45.678Z``."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def iso_from_epoch(seconds: float) -> str:
    """The same format for a ``time.time()`` value."""
    return utc_timestamp(datetime.fromtimestamp(seconds, UTC))
