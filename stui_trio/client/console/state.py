"""The console's memory between runs: the last session id per client id, in one JSON file.

Default ``~/.stui_trio/console.json`` (``--state-file`` elsewhere). Written atomically
(temp file, rename) so a crash never leaves half a file; an unreadable file counts as empty.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

DEFAULT_STATE_FILE = Path.home() / ".stui_trio" / "console.json"


class SessionMemory:
    """Reads and writes ``{"last_sessions": {client_id: session_id}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            sessions = data.get("last_sessions", {})
            return {str(k): str(v) for k, v in sessions.items()}
        except (OSError, ValueError, AttributeError):
            return {}

    def last_session(self, client_id: str) -> str | None:
        return self._load().get(client_id)

    def remember(self, client_id: str, session_id: str | None) -> None:
        sessions = self._load()
        if session_id is None:
            sessions.pop(client_id, None)
        else:
            sessions[client_id] = session_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps({"last_sessions": sessions}, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
