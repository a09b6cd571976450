"""Typed methods for every command in PROTOCOL.md, written once for both clients.

:class:`Commands` is generic in what ``request`` returns: the sync client is a
``Commands[dict]`` (each method returns the result), the Trio client a
``Commands[Awaitable[dict]]`` (each method returns an awaitable of it). So
``client.evaluate("3 + 4")`` and ``await aclient.evaluate("3 + 4")`` share this one body.

Tool commands and the per-session ones default to the client's current session
(``client.session_id``, set by ``create_session``/``restore_session``); pass ``session_id=``
to address another one. Parameters left as ``None`` are not sent, so the server's defaults
apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class NoSession(ValueError):
    """A session command was called with no session given and none current."""


class Commands(Generic[R]):
    """The protocol's commands as methods; subclasses provide ``request``."""

    session_id: str | None = None

    def request(self, command: str, /, **params: Any) -> R:
        raise NotImplementedError

    def _sid(self, session_id: str | None) -> str:
        sid = session_id or self.session_id
        if not sid:
            raise NoSession("no session: call create_session() or pass session_id=")
        return sid

    def _in_session(self, command: str, session_id: str | None, **params: Any) -> R:
        return self.request(command, session_id=self._sid(session_id), **params)

    # -- session commands ------------------------------------------------------------------
    def ping(self, message: str | None = None) -> R:
        return self.request("ping", message=message)

    def create_session(self, client_info: Mapping[str, Any] | None = None) -> R:
        return self.request("create_session", client_info=client_info)

    def restore_session(self, session_id: str) -> R:
        return self.request("restore_session", session_id=session_id)

    def validate_session(self, session_id: str | None = None) -> R:
        return self._in_session("validate_session", session_id)

    def update_session_state(
        self, state_data: Mapping[str, Any], session_id: str | None = None
    ) -> R:
        return self._in_session("update_session_state", session_id, state_data=state_data)

    def close_session(self, session_id: str | None = None) -> R:
        return self._in_session("close_session", session_id)

    def get_session_info(self, session_id: str | None = None) -> R:
        return self._in_session("get_session_info", session_id)

    def get_missed_replies(
        self, since: int | None = None, limit: int | None = None, session_id: str | None = None
    ) -> R:
        return self._in_session("get_missed_replies", session_id, since=since, limit=limit)

    def list_client_sessions(self) -> R:
        return self.request("list_client_sessions")

    def get_session_statistics(self) -> R:
        return self.request("get_session_statistics")

    def validate_feature_access(self, feature: str, auth_token: str | None = None) -> R:
        return self.request("validate_feature_access", feature=feature, auth_token=auth_token)

    # -- tool commands ---------------------------------------------------------------------
    def evaluate(
        self,
        code: str,
        mode: str | None = None,
        timeout_ms: int | None = None,
        session_id: str | None = None,
    ) -> R:
        return self._in_session(
            "evaluate", session_id, code=code, mode=mode, timeout_ms=timeout_ms
        )

    def interrupt(self, session_id: str | None = None) -> R:
        return self._in_session("interrupt", session_id)

    def inspect(
        self,
        object_ref: str | None = None,
        code: str | None = None,
        path: Sequence[str | int] | None = None,
        offset: int | None = None,
        limit: int | None = None,
        session_id: str | None = None,
    ) -> R:
        return self._in_session(
            "inspect", session_id, object_ref=object_ref, code=code,
            path=list(path) if path is not None else None, offset=offset, limit=limit,
        )

    def list_classes(
        self,
        pattern: str | None = None,
        package: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
        session_id: str | None = None,
    ) -> R:
        return self._in_session(
            "list_classes", session_id, pattern=pattern, package=package, offset=offset,
            limit=limit,
        )

    def browse_class(
        self,
        class_name: str,
        include_methods: bool | None = None,
        include_source: bool | None = None,
        session_id: str | None = None,
    ) -> R:
        return self._in_session(
            "browse_class", session_id, class_name=class_name,
            include_methods=include_methods, include_source=include_source,
        )

    def get_method(
        self,
        class_name: str,
        selector: str,
        is_class_method: bool | None = None,
        session_id: str | None = None,
    ) -> R:
        return self._in_session(
            "get_method", session_id, class_name=class_name, selector=selector,
            is_class_method=is_class_method,
        )

    def define_class(self, definition: str, session_id: str | None = None) -> R:
        return self._in_session("define_class", session_id, definition=definition)

    def compile_method(
        self,
        class_name: str,
        source: str,
        category: str | None = None,
        is_class_method: bool | None = None,
        session_id: str | None = None,
    ) -> R:
        return self._in_session(
            "compile_method", session_id, class_name=class_name, source=source,
            category=category, is_class_method=is_class_method,
        )

    def find_senders(self, selector: str, session_id: str | None = None) -> R:
        return self._in_session("find_senders", session_id, selector=selector)

    def find_implementors(self, selector: str, session_id: str | None = None) -> R:
        return self._in_session("find_implementors", session_id, selector=selector)

    def complete(
        self, code: str, cursor: int | None = None, session_id: str | None = None
    ) -> R:
        return self._in_session("complete", session_id, code=code, cursor=cursor)

    def get_transcript(self, since: int | None = None, session_id: str | None = None) -> R:
        return self._in_session("get_transcript", session_id, since=since)

    def get_history(self, limit: int | None = None, session_id: str | None = None) -> R:
        return self._in_session("get_history", session_id, limit=limit)

    def system_info(self, info_type: str | None = None, session_id: str | None = None) -> R:
        # system_info answers without a session too (PROTOCOL.md lists it with the tools,
        # the server issue with the session commands): send one only if we have one.
        return self.request(
            "system_info", session_id=session_id or self.session_id, info_type=info_type
        )
