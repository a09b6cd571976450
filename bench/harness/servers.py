"""The processes a run measures: the stui_trio server and the echo baseline, loopback only.

Both run as subprocesses of the harness and are stopped (SIGTERM, then kill) when their
``with`` block ends; the harness starts a fresh stui_trio server for every rung of the
ladder, so each rung's memory is measured from a clean baseline. Readiness is a real ping
answered, not a sleep. An ``--endpoint`` given by the user must be on loopback (127.0.0.0/8,
::1, localhost, or ipc://): the harness never points load at another machine.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import attrs
import zmq

ROOT = Path(__file__).resolve().parents[2]


class NotLoopback(ValueError):
    """An endpoint that would send the benchmark's load off this machine."""


def check_loopback(endpoint: str) -> str:
    """Return ``endpoint`` if it is on loopback (or ipc://), else raise :class:`NotLoopback`."""
    if endpoint.startswith("ipc://"):
        return endpoint
    if not endpoint.startswith("tcp://"):
        raise NotLoopback(f"{endpoint!r}: only tcp:// on loopback or ipc:// are allowed")
    host = endpoint[len("tcp://"):].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return endpoint
    try:
        if ipaddress.ip_address(host).is_loopback:
            return endpoint
    except ValueError:
        pass
    raise NotLoopback(f"{endpoint!r} is not on loopback; the benchmark only loads 127.0.0.1")


def free_endpoint() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def wait_for_ping(endpoint: str, proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Block until ``endpoint`` answers a ping (the echo server answers anything)."""
    ctx = zmq.Context()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server process exited early with {proc.returncode}")
            sock = ctx.socket(zmq.REQ)
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(endpoint)
            sock.send(b'{"id":"bench-ready","command":"ping","client_id":"bench-ready"}')
            ready = bool(sock.poll(250))
            sock.close(linger=0)
            if ready:
                return
        raise TimeoutError(f"nothing answered at {endpoint} within {timeout} s")
    finally:
        ctx.term()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@attrs.frozen
class ServerHandle:
    """A server under measurement: where it listens, its pid (None if not ours), its files."""

    endpoint: str
    pid: int | None
    sessions_dir: Path | None = None


def _raise_fd_limit() -> None:
    # 1,000 peers need ~1,000 descriptors in the server: lift the soft limit to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextmanager
def stui_server(
    endpoint: str | None = None, *, max_clients: int = 1000, profile_to: Path | None = None,
    sessions_dir: Path | None = None, extra_args: Sequence[str] = (),
) -> Iterator[ServerHandle]:
    """A fresh ``python -m stui_trio`` on a free loopback port, in a temporary sessions dir;
    with ``endpoint`` given, the server already running there (pid and files unknown).

    ``profile_to``: run the server under cProfile, its stats written there at exit (the
    server exits 0 on SIGTERM, so cProfile gets to write them). ``sessions_dir``: use this
    directory (kept afterwards) instead of a temporary one, so a later server finds the same
    files (a restart). ``extra_args``: more server flags (e.g. ``--durability relaxed``).
    """
    if endpoint is not None:
        wait_for_ping(check_loopback(endpoint), None, timeout=10)
        yield ServerHandle(endpoint, None)
        return
    with contextlib.ExitStack() as stack:
        if sessions_dir is None:
            sessions_dir = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="stui-bench-")))
        with _stui_process(sessions_dir, max_clients, profile_to, extra_args) as handle:
            yield handle


@contextmanager
def _stui_process(sessions: Path, max_clients: int, profile_to: Path | None,
                  extra_args: Sequence[str]) -> Iterator[ServerHandle]:
    endpoint = free_endpoint()
    profiler = ["-m", "cProfile", "-o", str(profile_to)] if profile_to else []
    # The rate limiter protects a shared server from one client; here it would only
    # measure itself, so it is off (0 = unlimited). Room for every client plus probes.
    proc = subprocess.Popen(
        [sys.executable, *profiler, "-m", "stui_trio", "--endpoint", endpoint,
         "--sessions-dir", str(sessions), "--log-level", "WARNING",
         "--rate-limit-per-second", "0", "--max-concurrent-clients", str(max_clients + 64),
         *extra_args],
        cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_raise_fd_limit,
    )
    try:
        wait_for_ping(endpoint, proc, timeout=30)
        yield ServerHandle(endpoint, proc.pid, sessions)
    finally:
        _stop(proc)


@contextmanager
def echo_server() -> Iterator[ServerHandle]:
    """A fresh :mod:`bench.baseline_echo` process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.baseline_echo", "--endpoint", "tcp://127.0.0.1:*"],
        cwd=ROOT, stdout=subprocess.PIPE, preexec_fn=_raise_fd_limit,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "READY":
            raise RuntimeError(f"echo server did not start (said {line!r})")
        wait_for_ping(line[1], proc, timeout=10)
        yield ServerHandle(line[1], proc.pid)
    finally:
        _stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()
