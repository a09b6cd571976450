"""One task per ``client_id``: it owns the client's context and runs its requests in order.

The :class:`ClientTable` starts a client's task on its first queued request, feeds it through a
bounded memory channel, and forgets it when it goes idle (the sweeper decides) or gives up. A
request that raises a non-protocol exception (a bug) is logged with its traceback and answered
``InternalError``; the task then restarts with a fresh :class:`ClientContext` and carries on
with the queue, other clients untouched. More than ``max_client_restarts`` crashes within
``restart_window`` and the task gives up: its queued requests get ``InternalError`` and the
next request from that client starts a new task.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import trio

from stui_trio.config import ServerConfig
from stui_trio.protocol import edge
from stui_trio.protocol.commands import ClientContext, CommandSpec
from stui_trio.protocol.errors import InternalError, RateLimited, ShuttingDown
from stui_trio.protocol.messages import Reply, Request
from stui_trio.server.stats import RequestCounters

log = logging.getLogger(__name__)

#: (request, command spec, transport envelope to answer on)
Job = tuple[Request, CommandSpec, Any]
#: Sends a reply now (a ROUTER send never waits): no checkpoint.
SendReply = Callable[[Any, Reply], None]
RunJob = Callable[[Request, CommandSpec, ClientContext], Awaitable[Reply]]


def internal_error_reply(request: Request) -> Reply:
    return edge.reply_to(
        request,
        error=InternalError(
            f"the server hit a bug while running '{request.command}' (logged with a "
            "traceback); the request was not completed - retry it, and report it if it repeats"
        ),
    )


def shutting_down_reply(request: Request) -> Reply:
    return edge.reply_to(
        request,
        error=ShuttingDown(
            "the server is shutting down and did not finish this request; retry it once "
            "the server is back"
        ),
    )


@attrs.define(eq=False)
class ClientSlot:
    client_id: str
    send: trio.MemorySendChannel[Job]
    receive: trio.MemoryReceiveChannel[Job]
    last_activity: float
    current: Job | None = None
    context: ClientContext | None = None
    crashes: deque[float] = attrs.field(factory=deque)

    @property
    def idle(self) -> bool:
        return self.current is None and self.send.statistics().current_buffer_used == 0


class ClientTable:
    """The live client tasks, by ``client_id``."""

    def __init__(
        self,
        config: ServerConfig,
        counters: RequestCounters,
        run_job: RunJob,
        send_reply: SendReply,
    ) -> None:
        self._config = config
        self._counters = counters
        self._run_job = run_job
        self._send_reply = send_reply
        self._slots: dict[str, ClientSlot] = {}
        self._nursery: trio.Nursery | None = None

    def attach(self, nursery: trio.Nursery) -> None:
        self._nursery = nursery

    def __len__(self) -> int:
        return len(self._slots)

    def context_of(self, client_id: str | None) -> ClientContext | None:
        """The live context of a client's task (None when it has no task right now)."""
        slot = self._slots.get(client_id) if client_id is not None else None
        return slot.context if slot is not None else None

    def submit(self, request: Request, spec: CommandSpec, envelope: Any) -> None:
        """Queue a request on its client's task, starting the task if needed.

        Raises ``RateLimited`` when the server has too many clients or the client's queue is
        full; the caller answers with it.
        """
        assert request.client_id is not None and self._nursery is not None
        slot = self._slots.get(request.client_id)
        if slot is None:
            if len(self._slots) >= self._config.max_concurrent_clients:
                raise RateLimited(
                    f"the server already serves {len(self._slots)} clients, its limit "
                    "(max_concurrent_clients); retry in a few seconds",
                    {"limit": self._config.max_concurrent_clients},
                )
            slot = self._start(request.client_id)
        try:
            slot.send.send_nowait((request, spec, envelope))
        except trio.WouldBlock:
            raise RateLimited(
                f"client {request.client_id!r} has {self._config.client_queue_size} requests "
                "waiting already; wait for replies before sending more",
                {"limit": self._config.client_queue_size},
            ) from None
        slot.last_activity = trio.current_time()

    def _start(self, client_id: str) -> ClientSlot:
        send, receive = trio.open_memory_channel[Job](self._config.client_queue_size)
        slot = ClientSlot(client_id, send, receive, trio.current_time())
        self._slots[client_id] = slot
        self._counters.client_tasks_started += 1
        assert self._nursery is not None
        self._nursery.start_soon(self._supervise, slot, name=f"client:{client_id}")
        return slot

    def _forget(self, slot: ClientSlot) -> None:
        if self._slots.get(slot.client_id) is slot:
            del self._slots[slot.client_id]
        slot.send.close()

    def end_idle(self, now: float) -> int:
        """End the tasks idle for longer than ``client_idle_timeout``; returns how many."""
        ended = 0
        for slot in list(self._slots.values()):
            if slot.idle and now - slot.last_activity >= self._config.client_idle_timeout:
                self._forget(slot)
                ended += 1
        self._counters.client_tasks_idled_out += ended
        return ended

    def close_all(self) -> None:
        """Stop taking requests; each task finishes its queue and ends (shutdown)."""
        for slot in list(self._slots.values()):
            self._forget(slot)

    async def _supervise(self, slot: ClientSlot) -> None:
        while True:
            context = slot.context = ClientContext(slot.client_id, started_at=time.time())
            try:
                await self._serve(slot, context)
                return
            except Exception:
                job = slot.current
                slot.current = None
                log.exception(
                    "client task %s crashed on command %s; restarting it",
                    slot.client_id, job[0].command if job else "?",
                )
                if job is not None:
                    self._send_reply(job[2], internal_error_reply(job[0]))
                if not self._may_restart(slot):
                    await self._give_up(slot)
                    return
                self._counters.client_tasks_restarted += 1

    async def _serve(self, slot: ClientSlot, context: ClientContext) -> None:
        try:
            async for job in slot.receive:
                slot.current = job
                request, spec, envelope = job
                reply = await self._run_job(request, spec, context)
                slot.current = None
                slot.last_activity = trio.current_time()
                self._send_reply(envelope, reply)
        except trio.Cancelled:
            # Shutdown ran out of grace: tell the client which requests did not finish (the
            # running one and any still queued) before the task goes.
            job, slot.current = slot.current, None
            unfinished = [job] if job is not None else []
            while True:
                try:
                    unfinished.append(slot.receive.receive_nowait())
                except (trio.WouldBlock, trio.EndOfChannel):
                    break
            for request, _spec, envelope in unfinished:
                self._send_reply(envelope, shutting_down_reply(request))
            raise

    def _may_restart(self, slot: ClientSlot) -> bool:
        now = trio.current_time()
        slot.crashes.append(now)
        while slot.crashes and now - slot.crashes[0] > self._config.restart_window:
            slot.crashes.popleft()
        return len(slot.crashes) <= self._config.max_client_restarts

    async def _give_up(self, slot: ClientSlot) -> None:
        log.error(
            "client task %s crashed %d times within %.0f s; giving up on it (its next "
            "request starts a fresh task)",
            slot.client_id, len(slot.crashes), self._config.restart_window,
        )
        self._forget(slot)
        async for request, _spec, envelope in slot.receive:
            self._send_reply(envelope, internal_error_reply(request))
