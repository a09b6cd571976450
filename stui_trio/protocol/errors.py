"""The protocol's error types as a small exception hierarchy.

Every error reply the server sends carries an ``error_type`` from ``PROTOCOL.md``. Each of those
names is one subclass of :class:`StuiError` here, so code anywhere in the server raises the error
it means (``raise SessionNotFound(...)``) and the edge turns it into a reply with
:meth:`StuiError.error_type`. Messages are written for the client author: say what went wrong
and what to do about it. ``details`` is an optional JSON-able mapping with machine-readable facts.

Anything that is *not* a ``StuiError`` escaping a handler is a bug: the server logs it with a
traceback and answers ``InternalError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class StuiError(Exception):
    """Base of all errors that travel to the client as an error reply."""

    error_type: ClassVar[str] = "InternalError"

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] | None = dict(details) if details else None



class InvalidRequest(StuiError):
    """Not JSON, not an object, invalid UTF-8, or a missing/ill-typed field (named)."""

    error_type = "InvalidRequest"


class UnknownCommand(StuiError):
    """The command name is not one the server knows; the message lists the known ones."""

    error_type = "UnknownCommand"


class MessageTooLarge(StuiError):
    """The request is bigger than ``max_message_bytes``."""

    error_type = "MessageTooLarge"


class SessionNotFound(StuiError):
    """No such session (never existed, or closed)."""

    error_type = "SessionNotFound"


class SessionExpired(StuiError):
    """The session existed but its timeout passed."""

    error_type = "SessionExpired"


class SessionLimitExceeded(StuiError):
    """The client already has ``max_sessions_per_client`` open sessions."""

    error_type = "SessionLimitExceeded"


class AccessDenied(StuiError):
    """The session belongs to another client, or the client is denied."""

    error_type = "AccessDenied"


class AuthenticationFailed(StuiError):
    """An ``auth_token`` was given but is not one the server knows."""

    error_type = "AuthenticationFailed"


class FeatureNotAvailable(StuiError):
    """The client's subscription tier does not include the feature."""

    error_type = "FeatureNotAvailable"


class RateLimited(StuiError):
    """Too many requests from this client (or too many clients); retry later."""

    error_type = "RateLimited"


class SyntaxError_(StuiError):  # trailing underscore: do not shadow the builtin
    """Smalltalk source did not parse; details: line, column, expected."""

    error_type = "SyntaxError"


class EvaluationError(StuiError):
    """An unhandled Smalltalk exception; details: error_class, message_text, stack."""

    error_type = "EvaluationError"


class Timeout(StuiError):
    """The request ran longer than its time limit."""

    error_type = "Timeout"


class Interrupted(StuiError):
    """The session's running evaluation was interrupted on request."""

    error_type = "Interrupted"


class ClassNotFound(StuiError):
    """No class of that name in the image."""

    error_type = "ClassNotFound"


class MethodNotFound(StuiError):
    """The class has no method with that selector."""

    error_type = "MethodNotFound"


class ObjectNotFound(StuiError):
    """No registered object with that reference in the session."""

    error_type = "ObjectNotFound"


class StorageError(StuiError):
    """Durable storage failed; the change was not acknowledged."""

    error_type = "StorageError"


class ShuttingDown(StuiError):
    """The server is stopping and takes no new work."""

    error_type = "ShuttingDown"


class InternalError(StuiError):
    """A bug in the server; it was logged with a traceback."""

    error_type = "InternalError"


ALL_ERRORS: tuple[type[StuiError], ...] = (
    InvalidRequest,
    UnknownCommand,
    MessageTooLarge,
    SessionNotFound,
    SessionExpired,
    SessionLimitExceeded,
    AccessDenied,
    AuthenticationFailed,
    FeatureNotAvailable,
    RateLimited,
    SyntaxError_,
    EvaluationError,
    Timeout,
    Interrupted,
    ClassNotFound,
    MethodNotFound,
    ObjectNotFound,
    StorageError,
    ShuttingDown,
    InternalError,
)

#: error_type name -> exception class (1:1).
BY_TYPE: dict[str, type[StuiError]] = {cls.error_type: cls for cls in ALL_ERRORS}
