"""One session's tool state, and the service that owns every session's.

Tool state belongs to the *session*, not to the client task that happens to serve it (a client
task may restart after a crash or end when idle; the session lives on, and is persisted). So the
server builds one `ToolsService` at start - with the shared image and the config - and passes it
to the tool command handlers; it keeps a `SessionTools` per session id, made on first use:

    workspace (the engine's: bindings)   registry (object_ref -> object)   inspector state
    history (bounded)                    transcript (bounded ring)          the running evaluation

`forget(session_id)` drops one (the server hooks it to the session manager's
`on_session_end`, so a closed or expired session's tools go with it). `snapshot()`/`restore()`
are the seam session persistence uses: they hand out and take back the live objects, leaving
serialization to the storage layer.

Persistence (durable mode, wired by the server): the session store's workspace codec parks a
session's stored workspace here with `park_workspace` when it reads the file; the objects are
rebuilt (`sessions/workspace_codec.py`) the first time the session's tools are used
(`tools_for`), and what could not be rebuilt is kept in `SessionTools.not_restored`.
`image_log` (an `ImageLog` with `async commit()`) and `persist_workspaces` tell the command
handlers to make image changes and workspaces durable before they reply.
"""

from __future__ import annotations

from typing import Any

import attrs
import trio

from stui_trio.config import ServerConfig
from stui_trio.sessions.workspace_codec import decode_workspace
from stui_trio.tools import engine_port
from stui_trio.tools.evaluation_pool import EvaluationPool
from stui_trio.tools.history import History
from stui_trio.tools.image_reflection import SendIndex
from stui_trio.tools.inspector import InspectorState
from stui_trio.tools.object_registry import ObjectRegistry
from stui_trio.tools.transcript import Transcript


def _server_default(name: str) -> Any:
    """The default of ServerConfig's setting ``name``: the one place tools limits default."""
    return attrs.fields_dict(ServerConfig)[name].default


@attrs.frozen
class ToolsConfig:
    """Limits of the tools layer: a view of the same-named ``ServerConfig`` settings.

    It keeps no defaults of its own (each field defaults to the ServerConfig one), so a limit
    is changed in one place; the server builds it with :meth:`from_server_config`, tests
    with keywords for the limits they exercise."""

    registry_capacity: int = _server_default("registry_capacity")
    persisted_registry_entries: int = _server_default("persisted_registry_entries")
    history_capacity: int = _server_default("history_capacity")
    transcript_capacity: int = _server_default("transcript_capacity")
    inspector_history: int = _server_default("inspector_history")
    #: Worker threads of the EvaluationPool: evaluations running at once.
    evaluation_threads: int = _server_default("evaluation_threads")
    #: Seconds the worker may take to notice an interrupt.
    interrupt_grace: float = _server_default("interrupt_grace")
    completion_limit: int = _server_default("completion_limit")

    @classmethod
    def from_server_config(cls, config: Any) -> ToolsConfig:
        """Pick up same-named settings if the server config has them."""
        names = [a.name for a in attrs.fields(cls)]
        return cls(**{n: getattr(config, n) for n in names if hasattr(config, n)})


@attrs.define(eq=False)
class RunningEvaluation:
    token: Any
    hard_stop: trio.CancelScope
    stop_reason: str | None = None  # "timeout" | "interrupted" once asked to stop


class SessionTools:
    """Everything the tools keep for one session."""

    def __init__(
        self, session_id: str, workspace: Any, config: ToolsConfig, owner: str = ""
    ) -> None:
        self.session_id = session_id
        self.owner = owner  # the client_id the session belongs to
        self.workspace = workspace
        self.registry = ObjectRegistry(config.registry_capacity)
        self.inspector = InspectorState(config.inspector_history)
        self.history = History(config.history_capacity)
        self.transcript = Transcript(config.transcript_capacity)
        self.lock = trio.Lock()  # one evaluation at a time per session
        self.running: RunningEvaluation | None = None
        #: Bindings a restore could not bring back: {name, reason, ...} (see workspace_codec).
        self.not_restored: list[dict[str, str]] = []
        #: Changed since its last save (by an evaluation that bound nothing): the background
        #: flusher saves it.
        self.unsaved = False
        #: The workspace as written by the last save (a ``codec.WorkspaceText``), good while
        #: ``unsaved`` is False: other saves of the session reuse it instead of writing the
        #: graph again on the event loop.
        self.saved_workspace: Any = None
        #: Each binding's summary at the last save, with the object it described then.
        self.described: dict[str, tuple[Any, dict[str, Any]]] = {}
        self._config = config

    def stop(self, reason: str, grace: float) -> bool:
        """Ask the running evaluation (if any) to stop; True if one was running."""
        running = self.running
        if running is None:
            return False
        if running.stop_reason is None:
            running.stop_reason = reason
        running.token.interrupt(reason)
        running.hard_stop.deadline = min(running.hard_stop.deadline, trio.current_time() + grace)
        return True

    def snapshot(self) -> dict[str, Any]:
        """The session's tool state as live objects (storage serializes them)."""
        return {
            "bindings": dict(self.workspace.bindings),
            "object_registry": list(self.registry.items()),
            "registry_next": self.registry.next_number,
            "inspector_state": self.inspector.snapshot(),
            "history": self.history.latest_json(),
            "transcript": self.transcript.entries_json(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Put back what `snapshot()` gave (after storage read it back)."""
        self.workspace.bindings.update(data.get("bindings", {}))
        self.registry = ObjectRegistry(
            self._config.registry_capacity, int(data.get("registry_next", 1))
        )
        self.registry.restore((str(r), o) for r, o in data.get("object_registry", []))
        self.inspector = InspectorState.restore(
            data.get("inspector_state", {}), self._config.inspector_history
        )
        self.history = History(self._config.history_capacity, data.get("history", []))
        self.transcript = Transcript(
            self._config.transcript_capacity, data.get("transcript", [])
        )


class ToolsService:
    """Owns the image handle, the evaluation threads and every session's tools."""

    def __init__(self, image: Any, config: ToolsConfig | None = None) -> None:
        self.image = image
        self.config = config or ToolsConfig()
        self.pool = EvaluationPool(self.config.evaluation_threads)
        self.send_index = SendIndex()  # find_senders' parse cache, shared by all sessions
        self._sessions: dict[str, SessionTools] = {}
        #: Stored workspaces read from disk, not yet rebuilt: session id -> (value, state).
        self._parked: dict[str, tuple[Any, dict[str, Any]]] = {}
        #: Set by the server in durable mode: the image change log (`async commit()`).
        self.image_log: Any = None
        #: Set by the server in durable mode: save a session's workspace before replying.
        self.persist_workspaces = False

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._sessions

    def tools_for(self, session_id: str, owner: str = "") -> SessionTools:
        tools = self._sessions.get(session_id)
        if tools is None:
            workspace = self.image.new_workspace()
            tools = SessionTools(session_id, workspace, self.config, owner)
            self._sessions[session_id] = tools
            parked = self._parked.pop(session_id, None)
            if parked is not None:
                self._rebuild(tools, *parked)
        return tools

    def park_workspace(self, session_id: str, value: Any, state: dict[str, Any]) -> None:
        """Keep a stored workspace until the session's tools are first used (any thread)."""
        self._parked[session_id] = (value, state)

    def parked_workspace(self, session_id: str) -> Any:
        """The stored workspace value not rebuilt yet (saved back untouched), or None."""
        parked = self._parked.get(session_id)
        return parked[0] if parked is not None else None

    def _rebuild(self, tools: SessionTools, value: Any, state: dict[str, Any]) -> None:

        restored = decode_workspace(self.image, value)
        tools.restore({
            "bindings": restored.bindings,
            "object_registry": restored.registry,
            "registry_next": restored.registry_next,
            "inspector_state": state.get("inspector_state") or {},
            "history": _entries(state.get("history"), ("seq", "code", "result", "result_type",
                                                         "has_error", "at")),
            "transcript": _entries(state.get("transcript"), ("seq", "text")),
        })
        tools.not_restored = restored.not_restored

    def existing(self, session_id: str) -> SessionTools | None:
        return self._sessions.get(session_id)

    def unsaved(self) -> list[SessionTools]:
        """The sessions whose workspace changed since their last save."""
        return [tools for tools in self._sessions.values() if tools.unsaved]

    def forget(self, session_id: str) -> None:
        """Drop a closed or expired session's tools (stopping its evaluation, if any)."""
        self._parked.pop(session_id, None)
        tools = self._sessions.pop(session_id, None)
        if tools is not None and tools.running is not None:
            tools.running.token.interrupt("session closed")

    def system_info(self) -> dict[str, Any]:
        """The `image` section of `system_info` (the server's handler may merge it in)."""
        changes = self.image_log.stats() if self.image_log is not None else {}
        pool = self.pool
        return {**engine_port.image_info(self.image), "sessions_with_tools": len(self),
                "evaluation_threads": self.config.evaluation_threads,
                "evaluations_running": pool.running, "evaluations_queued": pool.queued,
                **changes}

    def snapshot(self, session_id: str) -> dict[str, Any] | None:
        tools = self._sessions.get(session_id)
        return tools.snapshot() if tools is not None else None

    def restore(self, session_id: str, owner: str, data: dict[str, Any]) -> SessionTools:
        tools = self.tools_for(session_id, owner)
        tools.restore(data)
        return tools


def _entries(stored: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The stored history/transcript entries that have exactly the fields expected (a client's
    own `update_session_state` may have put something else under the same key)."""
    if not isinstance(stored, list):
        return []
    return [e for e in stored if isinstance(e, dict) and tuple(sorted(e)) == tuple(sorted(fields))]
