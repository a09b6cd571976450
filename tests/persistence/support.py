"""Helpers of the persistence tests: real servers on one sessions dir, and its files.

``Servers`` starts ``python -m stui_trio`` (via the shared ``start_server`` fixture) on a fixed
sessions dir, kills it with SIGKILL, and starts it again; ``current_file`` names a session's
current STON file (layout in ``stui_trio/storage/names.py``).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import ServerProcess, WireClient

ENV = {"STUI_LOG_LEVEL": "WARNING"}


class Servers:
    def __init__(self, start_server: Callable[..., ServerProcess], sessions_dir: Path,
                 *args: str) -> None:
        self._start = start_server
        self.sessions_dir = sessions_dir
        self.args = args
        self.current: ServerProcess | None = None

    def start(self, *extra: str) -> ServerProcess:
        self.current = self._start(*self.args, *extra, env=ENV, sessions_dir=self.sessions_dir)
        return self.current

    def kill9(self) -> None:
        assert self.current is not None
        self.current.proc.send_signal(signal.SIGKILL)
        self.current.proc.wait(10)

    def stop(self) -> None:
        """A graceful stop (SIGTERM): the last checkpoint writes every session file and
        empties the journal, so the files alone hold the state (to damage them, say)."""
        assert self.current is not None
        assert self.current.terminate() == 0

    def client(self, client_id: str, timeout_ms: int = 5000) -> WireClient:
        assert self.current is not None
        return WireClient(self.current.endpoint, client_id, timeout_ms=timeout_ms)


def create(client: WireClient, **info: Any) -> str:
    params = {"client_info": info} if info else {}
    return client.ok("create_session", parameters=params)["session_id"]


def update(client: WireClient, session_id: str, state: dict[str, Any]) -> dict[str, Any]:
    return client.ok(
        "update_session_state", parameters={"session_id": session_id, "state_data": state}
    )


def restore(client: WireClient, session_id: str) -> dict[str, Any]:
    return client.ok("restore_session", parameters={"session_id": session_id})


def current_file(sessions_dir: Path, client_id: str, session_id: str) -> Path:
    return sessions_dir / client_id / f"session_{client_id}_{session_id}.ston"


def nested_state(n: int) -> dict[str, Any]:
    """A state_data value with nesting, unicode, numbers of every JSON kind, and a counter."""
    return {
        "counter": n,
        "workspace_context": {
            "x": {"print_string": f"{n}", "class": "SmallInteger", "object_ref": f"obj-{n}"},
            "s": {"print_string": "'it''s ünïcødé ✓ \\ \"q\"'", "class": "ByteString"},
        },
        "history": [{"code": f"x := {n}", "ok": True}, {"code": "nil", "ok": None}],
        "notes": {"deep": [[{"a": [1, 2.5, -0.0, 2**62 + 1, 1.5e300, "x\ny\t"]}], []], "empty": {}},
    }
