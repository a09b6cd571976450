"""A load-generator process: many simulated clients, one ZeroMQ socket each, as Trio tasks.

Why not one process per client: 1,000 Python processes would not fit the machine's 2 cores
(nor its memory); why not one socket for all: the server must see 1,000 distinct peers. So
the harness starts a few of these processes (up to 2 per core) and each hosts its share of
the clients: one REQ (or DEALER) socket per client on one ZeroMQ context, one Trio task per
client. A client holds one session for the whole step (created in setup, closed in teardown).

The parent drives every process through the same phases (see :mod:`bench.harness.runner`):
setup (connect, ping, create the session) -> ``ready`` -> wait for *start* -> load until the
deadline or the per-client op bound -> ``done`` with the samples -> wait for *release* (the
parent reads the server's memory meanwhile) -> close sessions -> ``closed``.

Load shapes: *saturation* runs ops back to back; *paced* is open loop, each client's ops due
at Poisson arrivals averaging ``rate`` per second. A paced op that falls due while the
client still waits for the previous reply has its latency counted from the due time (no
coordinated omission); one that falls due while the client is idle counts from the moment
the sleeping task woke (the generator's timer slack is not the server's latency).

An *idle pinger* (``idle_ping_rate`` > 0): client 0 does not run the mix; it only pings,
paced at that rate, whatever the step's shape (label ``idle_ping``), so the report has the
latency a quiet user sees while the others load the server (issue 5's "ping of an idle
client while others run heavy evaluations"). ``op_args`` passes values chosen at run time
(e.g. the calibrated ~10 ms doit) to the ops, which read them from ``caller.op_args``.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing as mp
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import trio
import zmq

from bench.scenarios import Mix, Op
from bench.scenarios.sessions import CLIENT_INFO, IDLE_PING, PLACEHOLDER_SESSION
from stui_trio.client import SocketKind, StuiError, wire
from stui_trio.transport import TrioSocket

PHASE_TIMEOUT = 120.0  # the longest a worker waits for the parent between phases


@attrs.frozen
class StepConfig:
    """One step: ``clients`` simulated clients against one target in one load shape."""

    target: str            # "stui_trio" or "echo"
    endpoint: str
    clients: int
    shape: str             # "paced" or "saturation"
    mix: Mix
    seconds: float         # time bound of the load phase
    max_ops: int           # per-client op bound (the count bound)
    rate: float = 1.0      # paced: ops per second per client
    kind: SocketKind = SocketKind.REQ
    request_timeout: float = 10.0
    seed: int = 7
    idle_ping_rate: float = 0.0   # > 0: client 0 only pings, paced at this rate (idle_ping)
    op_args: tuple[tuple[str, str], ...] = ()  # run-time values for the ops (caller.op_args)


class Recorder:
    """Latencies (µs) and errors per label, for one worker process."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_types: dict[str, int] = defaultdict(int)
        self.examples: dict[str, str] = {}

    def ok(self, label: str, start_ns: int) -> None:
        self.samples[label].append((time.perf_counter_ns() - start_ns) / 1000)

    def error(self, label: str, error_type: str, message: str) -> None:
        self.errors[label] += 1
        self.error_types[error_type] += 1
        self.examples.setdefault(error_type, message[:200])

    def dump(self) -> dict[str, Any]:
        return {"samples": dict(self.samples), "errors": dict(self.errors),
                "error_types": dict(self.error_types), "examples": self.examples}


class SimClient:
    """One simulated client: its own socket and client_id; one request in flight at a time."""

    def __init__(self, context: zmq.Context[Any], config: StepConfig, index: int,
                 record: Recorder) -> None:
        self.index = index
        self.client_id = f"bench-{index}"
        self.session_id = PLACEHOLDER_SESSION
        self._context = context
        self._config = config
        self._record = record
        self._ids = itertools.count(1)
        self._socket = self._open()
        self.op_args: Mapping[str, str] = dict(config.op_args)

    def _open(self) -> TrioSocket:
        kind = zmq.REQ if self._config.kind is SocketKind.REQ else zmq.DEALER
        sock = self._context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self._config.endpoint)
        return TrioSocket(sock)

    def close(self) -> None:
        self._socket.close(linger=0)

    async def call(
        self, label: str, command: str, params: Mapping[str, Any], *,
        session_id: str | None = None, start_ns: int | None = None,
    ) -> dict[str, Any] | None:
        start = time.perf_counter_ns() if start_ns is None else start_ns
        request_id = f"{next(self._ids)}"
        body = wire.encode(wire.build_request(
            request_id, command, self.client_id, {**params, "session_id": session_id}))
        reply: dict[str, Any] | None = None
        with trio.move_on_after(self._config.request_timeout):
            await self._socket.send_multipart(wire.frames_for(self._config.kind, body))
            while reply is None or reply.get("id") != request_id:
                reply = wire.decode_reply(await self._socket.recv_multipart())
        if reply is None or reply.get("id") != request_id:
            # A REQ socket without its reply is stuck: start a fresh one (lazy pirate).
            self._socket.close(linger=0)
            self._socket = self._open()
            self._record.error(label, "ClientTimeout",
                               f"{command}: no reply in {self._config.request_timeout} s")
            return None
        try:
            result = wire.result_of(reply)
        except StuiError as exc:
            self._record.error(label, exc.error_type, f"{command}: {exc.message}")
            return None
        self._record.ok(label, start)
        return result


async def _setup(client: SimClient) -> None:
    await client.call("setup_ping", "ping", {})
    created = await client.call("setup_create_session", "create_session",
                                {"client_info": CLIENT_INFO})
    if created and created.get("session_id"):
        client.session_id = str(created["session_id"])


async def _teardown(client: SimClient, target: str) -> None:
    if target == "stui_trio" and client.session_id != PLACEHOLDER_SESSION:
        await client.call("teardown_close_session", "close_session", {},
                          session_id=client.session_id)


async def _load(client: SimClient, config: StepConfig, index: int, deadline_ns: int) -> None:
    if config.idle_ping_rate > 0 and index == 0:
        idle = Mix((IDLE_PING,), (1.0,)).chooser(0)
        await _paced(client, config, idle, config.idle_ping_rate, index, deadline_ns)
        return
    choose = config.mix.chooser(config.seed * 1_000_003 + index)
    if config.shape == "saturation":
        done = 0
        while done < config.max_ops and time.perf_counter_ns() < deadline_ns:
            await choose().run(client, time.perf_counter_ns())
            done += 1
        return
    await _paced(client, config, choose, config.rate, index, deadline_ns)


async def _paced(client: SimClient, config: StepConfig, choose: Callable[[], Op], rate: float,
                 index: int, deadline_ns: int) -> None:
    done = 0
    rng = random.Random(config.seed * 7_919 + index)
    gap_ns = 1e9 / rate
    due = time.perf_counter_ns() + int(rng.expovariate(1.0) * gap_ns)
    while done < config.max_ops and due < deadline_ns:
        delay = (due - time.perf_counter_ns()) / 1e9
        if delay > 0:
            # Idle until due: the timer's wake-up slack is the generator's, not the server's.
            await trio.sleep(delay)
            start = time.perf_counter_ns()
        else:
            # Due while the previous reply was still out: charge the wait to this request.
            start = due
        await choose().run(client, start)
        done += 1
        due += int(rng.expovariate(1.0) * gap_ns)


async def _wait(event: Any) -> bool:
    return bool(await trio.to_thread.run_sync(event.wait, PHASE_TIMEOUT))


async def _run(config: StepConfig, worker: int, indices: range, out: mp.Queue[Any],
               start: Any, release: Any) -> None:
    context: zmq.Context[Any] = zmq.Context()
    context.set(zmq.MAX_SOCKETS, max(1024, 2 * len(indices) + 64))
    setup_record, load_record = Recorder(), Recorder()
    clients = [SimClient(context, config, i, setup_record) for i in indices]
    try:
        async with trio.open_nursery() as nursery:
            for client in clients:
                nursery.start_soon(_setup, client)
        out.put(("ready", worker, setup_record.dump()))
        if not await _wait(start):
            raise TimeoutError("the parent never said start")
        for client in clients:
            client._record = load_record
        started, cpu = time.perf_counter_ns(), time.process_time()
        deadline = started + int(config.seconds * 1e9)
        async with trio.open_nursery() as nursery:
            for client in clients:
                nursery.start_soon(_load, client, config, client.index, deadline)
        finished = time.perf_counter_ns()
        out.put(("done", worker, {**load_record.dump(), "started_ns": started,
                                  "finished_ns": finished,
                                  "cpu_s": time.process_time() - cpu}))
        if not await _wait(release):
            raise TimeoutError("the parent never said release")
        teardown_record = Recorder()
        for client in clients:
            client._record = teardown_record
        async with trio.open_nursery() as nursery:
            for client in clients:
                nursery.start_soon(_teardown, client, config.target)
        out.put(("closed", worker, teardown_record.dump()))
    finally:
        for client in clients:
            client.close()
        context.term()


def worker_main(config: StepConfig, worker: int, indices: range, out: mp.Queue[Any],
                start: Any, release: Any) -> None:
    """Process entry point: run the phases; on failure, say why (the parent must not hang)."""
    try:
        trio.run(_run, config, worker, indices, out, start, release)
    except BaseException as exc:
        out.put(("failed", worker, f"{type(exc).__name__}: {exc}"))


def split(clients: int, processes: int) -> list[range]:
    """Client indices ``0..clients-1`` in ``processes`` contiguous, nearly equal slices."""
    per = math.ceil(clients / processes)
    return [range(s, min(s + per, clients)) for s in range(0, clients, per)]
