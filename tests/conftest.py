"""Shared fixtures: real stui_trio server subprocesses on free loopback ports, and tiny
plain-pyzmq clients to talk to them (tests of the server do not depend on the client library).

``start_server(*args, env=..., sessions_dir=...)`` (fixture) starts ``python -m stui_trio`` on
``tcp://127.0.0.1:*``, waits for its "listening on" line and returns a :class:`ServerProcess`
with ``.endpoint``; every server started is stopped (SIGTERM, then SIGKILL) at teardown.
``server`` is one such server with test commands enabled. ``WireClient`` is a REQ or DEALER
socket that sends dicts (or raw bytes) and returns decoded replies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import zmq

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 15.0


class ServerProcess:
    """A running ``python -m stui_trio`` subprocess."""

    def __init__(self, proc: subprocess.Popen[str], endpoint: str, sessions_dir: Path) -> None:
        self.proc = proc
        self.endpoint = endpoint
        self.sessions_dir = sessions_dir
        self._stderr: list[str] = []
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def terminate(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._drain.join(5)


def launch(
    args: list[str], *, env: dict[str, str] | None = None, sessions_dir: Path
) -> subprocess.Popen[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STUI_")}
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "stui_trio", "--sessions-dir", str(sessions_dir), *args],
        cwd=REPO,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []
    counter = iter(range(1000))

    def start(
        *args: str,
        env: dict[str, str] | None = None,
        sessions_dir: Path | None = None,
        endpoint: str = "tcp://127.0.0.1:*",
    ) -> ServerProcess:
        sdir = sessions_dir or tmp_path / f"sessions{next(counter)}"
        proc = launch(["--endpoint", endpoint, *args], env=env, sessions_dir=sdir)
        line = _read_ready_line(proc)
        server = ServerProcess(proc, line.split()[-1], sdir)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def _read_ready_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not result or "listening on" not in result[0]:
        proc.kill()
        _out, err = proc.communicate(timeout=5)
        raise RuntimeError(f"server did not start: {result!r}\n{err}")
    return result[0].strip()


TEST_ENV = {"STUI_ENABLE_TEST_COMMANDS": "1", "STUI_LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server per test module, test-only commands enabled (tests use distinct client_ids)."""
    sdir = tmp_path_factory.mktemp("sessions")
    proc = launch(["--endpoint", "tcp://127.0.0.1:*"], env=TEST_ENV, sessions_dir=sdir)
    line = _read_ready_line(proc)
    running = ServerProcess(proc, line.split()[-1], sdir)
    yield running
    running.kill()


class WireClient:
    """A plain pyzmq REQ or DEALER socket speaking JSON; one per thread."""

    def __init__(
        self, endpoint: str, client_id: str | None = "tester", *, kind: int = zmq.REQ,
        timeout_ms: int = 5000,
    ) -> None:
        self.context = zmq.Context.instance()
        self.sock = self.context.socket(kind)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVTIMEO, timeout_ms)
        self.sock.connect(endpoint)
        self.kind = kind
        self.client_id = client_id
        self._seq = 0

    def send_raw(self, body: bytes, *, delimiter: bool = True) -> None:
        if self.kind == zmq.DEALER:
            self.sock.send_multipart([b"", body] if delimiter else [body])
        else:
            self.sock.send(body)

    def recv(self) -> dict[str, Any]:
        if self.kind == zmq.DEALER:
            frames = self.sock.recv_multipart()
            return orjson.loads(frames[-1])
        return orjson.loads(self.sock.recv())

    def raw(self, body: bytes) -> dict[str, Any]:
        self.send_raw(body)
        return self.recv()

    def message(self, command: str, **fields: Any) -> dict[str, Any]:
        self._seq += 1
        msg: dict[str, Any] = {"id": f"t-{self._seq}", "command": command}
        if self.client_id is not None:
            msg["client_id"] = self.client_id
        msg.update(fields)
        return msg

    def call(self, command: str, **fields: Any) -> dict[str, Any]:
        """Send a command-style request; ``parameters=...`` goes in as given."""
        return self.raw(orjson.dumps(self.message(command, **fields)))

    def ok(self, command: str, **fields: Any) -> dict[str, Any]:
        reply = self.call(command, **fields)
        assert reply["status"] == "success", reply
        return reply["result"]

    def error(self, command: str, error_type: str, **fields: Any) -> dict[str, Any]:
        reply = self.call(command, **fields)
        assert reply["status"] == "error" and reply["error_type"] == error_type, reply
        assert reply["error"], reply
        return reply

    def close(self) -> None:
        self.sock.close(0)

    def __enter__(self) -> WireClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def wire(server: ServerProcess) -> Iterator[Callable[..., WireClient]]:
    """Factory for WireClients connected to ``server``; all closed at teardown."""
    made: list[WireClient] = []

    def make(client_id: str | None = "tester", **kw: Any) -> WireClient:
        client = WireClient(server.endpoint, client_id, **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
