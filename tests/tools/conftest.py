"""A real server subprocess with the tool commands, and a small JSON-over-ZeroMQ client.

`tools_server` (one per test module) runs `tests/tools/tools_server.py` on a free loopback
port with its sessions in a temp dir and stops it at teardown (SIGTERM, then kill). `Client`
is a plain pyzmq REQ socket with a `client_id`; `client.session()` creates a session and
`client.tool(command, **parameters)` calls a tool command in it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import zmq

ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = Path(__file__).with_name("tools_server.py")
ENV = {"STUI_LOG_LEVEL": "WARNING", "STUI_EVALUATION_TIMEOUT": "5"}


class ToolsServer:
    def __init__(self, sessions_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STUI_")} | ENV
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "--sessions-dir", str(sessions_dir)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(30)
        if not line or "listening on" not in line[0]:
            self.proc.kill()
            _out, err = self.proc.communicate(timeout=5)
            raise RuntimeError(f"tools server did not start: {line!r}\n{err[-3000:]}")
        self.endpoint = line[0].split()[-1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Client:
    """One REQ socket; `call` answers the decoded reply."""

    def __init__(self, endpoint: str, client_id: str, timeout_ms: int = 10_000) -> None:
        self.sock = zmq.Context.instance().socket(zmq.REQ)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVTIMEO, timeout_ms)
        self.sock.connect(endpoint)
        self.client_id = client_id
        self.session_id: str | None = None
        self._seq = 0

    def send(self, message: dict[str, Any]) -> dict[str, Any]:
        self.sock.send(orjson.dumps(message))
        return orjson.loads(self.sock.recv())

    def call(self, command: str, **parameters: Any) -> dict[str, Any]:
        self._seq += 1
        message: dict[str, Any] = {"id": f"{self.client_id}-{self._seq}", "command": command,
                                   "client_id": self.client_id, "parameters": parameters}
        if self.session_id is not None:
            message["session_id"] = self.session_id
        return self.send(message)

    def session(self) -> str:
        self.session_id = self.ok("create_session")["session_id"]
        return self.session_id

    def ok(self, command: str, **parameters: Any) -> dict[str, Any]:
        reply = self.call(command, **parameters)
        assert reply["status"] == "success", reply
        return reply["result"]

    def error(self, command: str, error_type: str, **parameters: Any) -> dict[str, Any]:
        reply = self.call(command, **parameters)
        assert reply["status"] == "error" and reply["error_type"] == error_type, reply
        return reply

    def close(self) -> None:
        self.sock.close(0)


@pytest.fixture(scope="module")
def tools_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolsServer]:
    server = ToolsServer(tmp_path_factory.mktemp("sessions"))
    yield server
    server.stop()


@pytest.fixture
def client(tools_server: ToolsServer) -> Iterator[Callable[[str], Client]]:
    """Factory: `client("alice")` is a connected Client with a fresh session."""
    made: list[Client] = []

    def make(client_id: str, with_session: bool = True) -> Client:
        c = Client(tools_server.endpoint, client_id)
        made.append(c)
        if with_session:
            c.session()
        return c

    yield make
    for c in made:
        c.close()
