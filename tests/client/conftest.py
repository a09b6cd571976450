"""Real server processes for the client tests.

``python -m stui_trio`` runs as a subprocess on a free 127.0.0.1 port with its sessions in a
temp dir; a fixture waits until it answers a ping and stops it (SIGTERM, then kill) afterwards.
:class:`ServerProcess` can also be stopped and started again on the same endpoint, which the
lazy-pirate test needs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

ROOT = Path(__file__).resolve().parents[2]
# bench/ is a top-level package beside stui_trio/, not installed: make it importable however
# pytest was started (`python -m pytest` from the root has it already).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_tcp_endpoint() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def answers_ping(endpoint: str, timeout_ms: int = 200) -> bool:
    """A raw pyzmq ping, independent of the client library under test."""
    ctx = zmq.Context()
    try:
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(endpoint)
        sock.send(b'{"id": "ready?", "command": "ping", "client_id": "test-ready"}')
        ok = bool(sock.poll(timeout_ms))
        sock.close(linger=0)
        return ok
    finally:
        ctx.term()


class ServerProcess:
    """One ``python -m stui_trio`` subprocess; start/stop can repeat on the same endpoint."""

    def __init__(self, endpoint: str, sessions_dir: Path, *extra: str) -> None:
        self.endpoint = endpoint
        self.sessions_dir = sessions_dir
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "stui_trio", "--endpoint", self.endpoint,
             "--sessions-dir", str(self.sessions_dir), "--log-level", "WARNING", *self.extra],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err}")
            if answers_ping(self.endpoint):
                return
        raise TimeoutError(f"server at {self.endpoint} not ready within {timeout} s")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = ServerProcess(free_tcp_endpoint(), tmp_path_factory.mktemp("sessions"))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def endpoint(server: ServerProcess) -> str:
    return server.endpoint


@pytest.fixture
def free_endpoint() -> str:
    """A loopback endpoint nobody listens on (yet)."""
    return free_tcp_endpoint()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server this test may stop and restart (not started yet)."""
    srv = ServerProcess(free_tcp_endpoint(), tmp_path / "sessions")
    try:
        yield srv
    finally:
        srv.stop()
