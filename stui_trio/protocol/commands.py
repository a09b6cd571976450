"""The command registry: command name -> handler, its parameter spec and how it is run.

This is the plug the tools layer uses. A handler is ``async def handler(ctx, params) ->
dict``: ``ctx`` is a :class:`CommandContext` (the request, the calling client's context, the
resolved session, the session manager, the config, server facts), ``params`` an instance of
the command's attrs parameter class (already validated by the edge's strict cattrs converter).
It returns the ``result`` mapping, or raises a :class:`~stui_trio.protocol.errors.StuiError`.

Flags on a command say how the server runs it:

* ``needs_client`` - a valid ``client_id`` is required (most commands).
* ``needs_session`` - ``session_id`` is required, must be the caller's own, live session; the
  server resolves it (extending its life) into ``ctx.session`` before the handler runs.
* ``inline`` - answered straight from the reader, never queued behind the client's long
  requests (``ping``, statistics, ``validate_session``; later ``interrupt``). Inline handlers
  must be quick and must not block; their ``ctx.client`` is the client's live context while
  its task runs (e.g. to reach the interrupt token of a running evaluation), else None.
* ``keeps_reply`` (default True) - when a request names a session and carries its own ``id``,
  its reply is kept in that session's reply buffer and a retry with the same id (and the same
  command and parameters) gets it back instead of running again (``sessions/reply_buffer.py``).
  Read-only commands pass False so polling them does not push real replies out. Inline
  commands are never kept.

A handler that saves a durable change and then replies calls ``ctx.remember_reply(result)``
(or, when it builds the session value to save, ``ctx.with_reply(session, result)``) *before*
the save, so the reply is on disk with the change: a crash between save and reply still lets
the retry get it. Both do nothing for requests whose reply is not kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from stui_trio.protocol.errors import UnknownCommand
from stui_trio.protocol.messages import Request

if TYPE_CHECKING:  # annotations only: the protocol floor imports nothing of the layers above
    from stui_trio.config import ServerConfig
    from stui_trio.sessions.manager import SessionManager
    from stui_trio.sessions.model import Session
    from stui_trio.sessions.reply_buffer import ReplyRecorder


@attrs.define
class ClientContext:
    """What one client task owns. Rebuilt fresh when the task restarts after a crash.

    ``extensions`` is for the layers above (e.g. the tools layer keeps per-session workspaces
    there, keyed as it likes); nothing in it survives a client task's restart or idle end.
    """

    client_id: str
    started_at: float
    extensions: dict[str, Any] = attrs.field(factory=dict)


class ServerFacts:
    """Read-only server facts a handler may report (implemented by the supervisor)."""

    def uptime(self) -> float:
        raise NotImplementedError

    def connected_clients(self) -> int:
        raise NotImplementedError

    def request_counters(self) -> Mapping[str, Any]:
        raise NotImplementedError

    def image_info(self) -> Mapping[str, Any]:
        """Facts about the shared Smalltalk image; a server without one says so."""
        return {"available": False}


@attrs.frozen
class CommandContext:
    request: Request
    config: ServerConfig
    sessions: SessionManager
    server: ServerFacts
    registry: CommandRegistry
    client: ClientContext | None = None
    session: Session | None = None
    #: Set by the dispatcher when this request's reply is kept in its session's buffer.
    replies: ReplyRecorder | None = None

    def remember_reply(self, result: Mapping[str, Any]) -> None:
        """Keep ``result`` as this request's reply now (call it before a durable save)."""
        if self.replies is not None:
            self.replies.remember(result)

    def with_reply(self, session: Session, result: Mapping[str, Any]) -> Session:
        """``session`` with ``result`` kept as this request's reply (before saving it)."""
        return session if self.replies is None else self.replies.into(session, result)

    @property
    def client_id(self) -> str:
        """The caller's client_id (guaranteed for commands with ``needs_client``)."""
        assert self.request.client_id is not None
        return self.request.client_id


Handler = Callable[[CommandContext, Any], Awaitable[Mapping[str, Any]]]


@attrs.frozen
class CommandSpec:
    name: str
    handler: Handler
    params: type | None = None
    needs_client: bool = True
    needs_session: bool = False
    inline: bool = False
    description: str = ""
    keeps_reply: bool = True


class CommandRegistry:
    """Maps command names to :class:`CommandSpec`; built at start, read-only while serving."""

    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        params: type | None = None,
        needs_client: bool = True,
        needs_session: bool = False,
        inline: bool = False,
        description: str = "",
        keeps_reply: bool = True,
    ) -> CommandSpec:
        if name in self._specs:
            raise ValueError(f"command {name!r} is already registered")
        if params is not None and not attrs.has(params):
            raise TypeError(f"params of {name!r} must be an attrs class")
        spec = CommandSpec(
            name, handler, params, needs_client, needs_session, inline, description, keeps_reply
        )
        self._specs[name] = spec
        return spec

    def get(self, name: str) -> CommandSpec:
        spec = self._specs.get(name)
        if spec is None:
            shown = name if len(name) <= 64 else name[:64] + "…"
            raise UnknownCommand(
                f"unknown command {shown!r}; known commands: {', '.join(self.names())}",
                {"command": shown, "known_commands": self.names()},
            )
        return spec

    def names(self) -> list[str]:
        return sorted(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs
