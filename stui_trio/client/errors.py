"""What a client raises: one exception type that carries the server's ``error_type``.

The server answers a failed request with ``{"status": "error", "error_type", "error",
"details"}`` (command style) or ``{"response_type": "Error", "code", "message", "details"}``
(envelope style). Both become a :class:`StuiError`, so callers branch on ``exc.error_type``
(``"SessionNotFound"``, ``"EvaluationError"``, ...) exactly as PROTOCOL.md names them.

Failures that happen on our side of the wire get their own subclasses with ``error_type``
values the server never sends (``ClientTimeout``, ``BadReply``), so they cannot be confused
with a server verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class StuiError(Exception):
    """An error reply from the server (or a client-side failure, see the subclasses)."""

    def __init__(
        self, error_type: str, message: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class RequestTimedOut(StuiError):
    """No reply within the timeout, after every retry the client was allowed."""

    def __init__(self, command: str, timeout: float, attempts: int) -> None:
        super().__init__(
            "ClientTimeout",
            f"no reply to {command!r} within {timeout:g} s ({attempts} attempt(s)); "
            "is the server running at that endpoint?",
            {"command": command, "timeout": timeout, "attempts": attempts},
        )


class BadReply(StuiError):
    """The server sent something that is not a reply this client can read."""

    def __init__(self, message: str) -> None:
        super().__init__("BadReply", message)
