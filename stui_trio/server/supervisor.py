"""The supervisor: the server's root nursery and the reader that feeds everything.

    root nursery
      ├── reader        receive -> edge.decode -> inline answer | client queue | error reply
      ├── client host   the nursery of the per-client tasks (``ClientTable``)
      ├── sweeper       session expiry + idle client tasks (``trio_util.periodic``)
      └── signal watcher  SIGINT/SIGTERM -> graceful shutdown (``shutdown.py``)

The reader answers edge errors, rate limiting, unknown commands and the inline commands
(``ping``, statistics, ``validate_session``...) itself, so those never wait behind a client's
long request; everything else goes to the client's task, in order. ``serve`` returns once the
server has shut down gracefully.

The request path is the server's hot loop, kept cheap on purpose: per wake-up the reader
drains up to :data:`READ_BATCH` queued messages (``receive_nowait``) and passes through Trio's
scheduler once for the batch, and every reply leaves with ``send_nowait`` (a ROUTER send never
waits), so an inline request costs no checkpoint of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import trio

from stui_trio.config import ServerConfig
from stui_trio.protocol import edge
from stui_trio.protocol.commands import ClientContext, CommandRegistry, CommandSpec, ServerFacts
from stui_trio.protocol.dialects import made_up_id
from stui_trio.protocol.errors import InvalidRequest, RateLimited, ShuttingDown, StuiError
from stui_trio.protocol.messages import Dialect, Reply, Request
from stui_trio.server import basic_commands, dispatch, session_commands, testing_commands
from stui_trio.server.client_task import ClientTable, internal_error_reply
from stui_trio.server.ratelimit import TokenBucket
from stui_trio.server.shutdown import watch_signals
from stui_trio.server.stats import RequestCounters
from stui_trio.server.sweeper import run_sweeper
from stui_trio.server.wire import open_router
from stui_trio.sessions.durable_store import DurableSessionStore, DurableSettings
from stui_trio.sessions.manager import SessionManager
from stui_trio.sessions.store import InMemorySessionStore, SessionStore
from stui_trio.tools.commands import install_tools
from stui_trio.tools.durability import (
    attach_persistence,
    flush_unsaved_workspaces,
    run_workspace_flusher,
)
from stui_trio.tools.session_tools import ToolsService
from stui_trio.transport import (
    Envelope,
    Incoming,
    MalformedFrames,
    PeerBusy,
    PeerGone,
    RouterEndpoint,
)

log = logging.getLogger(__name__)

#: Messages the reader handles per wake-up before it lets other tasks run; bounds how long a
#: burst of inline requests can hold the event loop (~20-40 µs each).
READ_BATCH = 32


def peer_client_id(routing_id: bytes) -> str:
    """A client_id for a peer that sent none: stable for that socket, not across reconnects."""
    return "peer-" + hashlib.sha256(routing_id).hexdigest()[:16]


def default_registry(config: ServerConfig) -> CommandRegistry:
    """The commands this build serves (the tools layer registers its own on top)."""
    registry = CommandRegistry()
    basic_commands.register(registry)
    session_commands.register(registry)
    if config.enable_test_commands:
        testing_commands.register(registry)
    return registry


class Server(ServerFacts):
    """One running server. Build it, then ``await server.serve(task_status=...)`` in a nursery."""

    def __init__(
        self,
        config: ServerConfig,
        *,
        store: SessionStore | None = None,
        registry: CommandRegistry | None = None,
    ) -> None:
        self.config = config
        self.registry = registry or default_registry(config)
        # A store passed in is the caller's to run; one built here from the config is ours.
        self._own_store: DurableSessionStore | None = None
        if store is None:
            if config.session_store == "durable":
                store = self._own_store = DurableSessionStore(DurableSettings.from_config(config))
            else:
                store = InMemorySessionStore()
        self.sessions = SessionManager(
            store,
            timeout=config.session_timeout,
            max_per_client=config.max_sessions_per_client,
            expired_memory=config.expired_memory,
        )
        # The live tools (evaluate, inspect, browse...) on one shared Smalltalk image, unless the
        # caller's registry already serves them.
        self.tools: ToolsService | None = None
        if "evaluate" not in self.registry:
            self.tools = install_tools(self.registry, config)
            self.sessions.on_session_end.append(self.tools.forget)
            if self._own_store is not None:
                attach_persistence(self._own_store, self.tools, config)
        self.counters = RequestCounters()
        self.clients = ClientTable(config, self.counters, self._run_queued, self._send_reply)
        self.bound_endpoints: list[str] = []
        self._started = time.monotonic()
        self._buckets: dict[str, TokenBucket] = {}
        self._router: RouterEndpoint | None = None
        self._shutting_down = False
        self._stop = trio.Event()
        self._hurry = trio.Event()
        self._clients_done = trio.Event()

    # -- ServerFacts ---------------------------------------------------------------------

    def uptime(self) -> float:
        return time.monotonic() - self._started

    def connected_clients(self) -> int:
        return len(self.clients)

    def request_counters(self) -> Mapping[str, Any]:
        return self.counters.snapshot()

    def image_info(self) -> Mapping[str, Any]:
        if self.tools is None:
            return super().image_info()
        return {"available": True, **self.tools.system_info()}

    # -- lifecycle -----------------------------------------------------------------------

    def request_shutdown(self) -> None:
        """Begin a graceful shutdown (what SIGINT/SIGTERM do); a second call hurries it."""
        if self._stop.is_set():
            self._hurry.set()
        self._stop.set()

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    async def serve(
        self,
        *,
        handle_signals: bool = False,
        on_ready: Callable[[list[str]], None] | None = None,
        task_status: Any = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Bind, serve until shutdown is requested, stop gracefully. Reports the bound
        endpoints through ``task_status.started`` and ``on_ready``. Raises ``TransportError``
        if binding fails, ``StorageLocked`` if another process owns the sessions directory.
        """
        async with contextlib.AsyncExitStack() as stack:
            if self._own_store is not None:
                # The directory lock is taken here, before binding any endpoint.
                await stack.enter_async_context(self._own_store.running())
            await self._serve(handle_signals, on_ready, task_status)

    async def _serve(
        self,
        handle_signals: bool,
        on_ready: Callable[[list[str]], None] | None,
        task_status: Any,
    ) -> None:
        loaded = await self.sessions.load_all()
        async with open_router(self.config.endpoints) as router:
            self._router = router
            self.bound_endpoints = list(router.endpoints)
            log.info(
                "serving on %s (%d sessions loaded)", ", ".join(self.bound_endpoints), loaded
            )
            async with trio.open_nursery() as root:
                client_scope = await root.start(self._host_clients)
                root.start_soon(self._read, router, name="reader")
                root.start_soon(
                    run_sweeper, self.config.cleanup_interval, self.sessions, self.clients,
                    getattr(self.sessions.store, "sweep", None),
                    name="sweeper",
                )
                if self.tools is not None and self.tools.persist_workspaces:
                    root.start_soon(
                        run_workspace_flusher, self.sessions, self.tools,
                        self.config.workspace_flush_interval_ms / 1000.0,
                        self.config.evaluation_timeout_for(None),
                        name="workspace flusher",
                    )
                if handle_signals:
                    await root.start(watch_signals, lambda _s: self.request_shutdown())
                task_status.started(self.bound_endpoints)
                if on_ready is not None:
                    on_ready(self.bound_endpoints)
                await self._stop.wait()
                await self._stop_gracefully(client_scope)
                root.cancel_scope.cancel()
        log.info("server stopped")

    async def _host_clients(self, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        try:
            async with trio.open_nursery() as nursery:
                self.clients.attach(nursery)
                task_status.started(nursery.cancel_scope)
                await self._stop.wait()
            # Leaving the block waited for every client task to finish (or be cancelled).
        finally:
            self._clients_done.set()

    async def _stop_gracefully(self, client_scope: trio.CancelScope) -> None:
        self._shutting_down = True
        log.info(
            "shutting down: letting %d client tasks finish (grace %.1f s)",
            len(self.clients), self.config.shutdown_grace_period,
        )
        self.clients.close_all()
        with trio.move_on_after(self.config.shutdown_grace_period):
            async with trio.open_nursery() as waiters:

                async def hurry() -> None:
                    await self._hurry.wait()
                    waiters.cancel_scope.cancel()

                waiters.start_soon(hurry)
                await self._clients_done.wait()
                waiters.cancel_scope.cancel()
        if not self._clients_done.is_set():
            log.warning("grace period over: cancelling the requests still running")
            client_scope.cancel()
        await self._clients_done.wait()
        if self.tools is not None and self.tools.persist_workspaces:
            await flush_unsaved_workspaces(
                self.sessions, self.tools, self.config.evaluation_timeout_for(None)
            )
        await self.sessions.flush_unsaved()  # replies kept only in memory so far

    # -- the reader ----------------------------------------------------------------------

    async def _read(self, router: RouterEndpoint) -> None:
        # Per wake-up the reader takes every queued message (up to READ_BATCH) before it
        # passes through Trio's scheduler again: one checkpoint per batch instead of one per
        # message. Inline answers go out with send_nowait (no checkpoint either).
        receive_nowait = router.receive_nowait
        while True:
            incoming = await router.receive()
            handled = 0
            while True:
                self.counters.total += 1
                try:
                    await self._handle(incoming)
                except Exception:
                    # A bug here must not stop the reader: every other client depends on it.
                    log.exception("reader failed on a message; carrying on")
                handled += 1
                if handled >= READ_BATCH:
                    break  # the next receive is a checkpoint: others get their turn
                try:
                    incoming = receive_nowait()
                except trio.WouldBlock:
                    break

    async def _handle(self, incoming: Incoming | MalformedFrames) -> None:
        if isinstance(incoming, MalformedFrames):
            self.counters.rejected_at_edge += 1
            if incoming.envelope is not None:
                reply = edge.error_reply(
                    made_up_id(), None, Dialect.COMMAND, InvalidRequest(incoming.reason)
                )
                self._send_reply(incoming.envelope, reply)
            return
        decoded = edge.decode(incoming.body, self.config.max_message_bytes)
        if isinstance(decoded, edge.Rejected):
            self.counters.rejected_at_edge += 1
            self._send_reply(incoming.envelope, decoded.reply)
            return
        if decoded.client_id is None and decoded.dialect is Dialect.ENVELOPE:
            # The Rust client's envelope carries no client_id: the peer is the client.
            decoded = attrs.evolve(
                decoded, client_id=peer_client_id(incoming.envelope.routing_id)
            )
        await self._route(decoded, incoming.envelope)

    async def _route(self, request: Request, envelope: Envelope) -> None:
        try:
            if self._shutting_down:
                raise ShuttingDown(
                    "the server is shutting down and takes no new requests; retry once it "
                    "is back"
                )
            spec = self.registry.get(request.command)
            self.counters.by_command[spec.name] += 1
            dispatch.check_client(spec, request)
            if request.client_id is not None:
                self._check_rate(request.client_id)
            if spec.inline or request.client_id is None:
                await self._run_inline(request, spec, envelope)
            else:
                self.clients.submit(request, spec, envelope)
        except StuiError as exc:
            self._send_reply(envelope, edge.reply_to(request, error=exc))

    def _check_rate(self, client_id: str) -> None:
        if self.config.rate_limit_per_second <= 0:
            return
        now = trio.current_time()
        bucket = self._buckets.get(client_id)
        if bucket is None:
            if len(self._buckets) > 4 * self.config.max_concurrent_clients:
                self._buckets = {k: b for k, b in self._buckets.items() if not b.is_full(now)}
            bucket = self._buckets[client_id] = TokenBucket.full(
                self.config.rate_limit_per_second, self.config.rate_limit_burst, now
            )
        if not bucket.take(now):
            raise RateLimited(
                f"client {client_id!r} sends more than {self.config.rate_limit_per_second:g} "
                f"requests/s (burst {self.config.rate_limit_burst}); slow down and retry",
                {"rate_per_second": self.config.rate_limit_per_second,
                 "burst": self.config.rate_limit_burst},
            )

    async def _run_inline(
        self, request: Request, spec: CommandSpec, envelope: Envelope
    ) -> None:
        self.counters.inline += 1
        try:
            reply = await self._run(request, spec, self.clients.context_of(request.client_id))
        except Exception:
            log.exception("inline command %s crashed", request.command)
            reply = internal_error_reply(request)
        self._send_reply(envelope, reply)

    async def _run_queued(
        self, request: Request, spec: CommandSpec, client: ClientContext
    ) -> Reply:
        return await self._run(request, spec, client)

    async def _run(
        self, request: Request, spec: CommandSpec, client: ClientContext | None
    ) -> Reply:
        return await dispatch.run(
            request, spec=spec, registry=self.registry, config=self.config,
            sessions=self.sessions, server=self, client=client,
        )

    def _send_reply(self, envelope: Envelope, reply: Reply) -> None:
        """Encode and send a reply now. A ROUTER send never waits, so this is no checkpoint:
        the reader answers a batch of inline requests without a trip through the scheduler,
        and a client task reaches one at its next receive."""
        counters = self.counters
        if reply.error_type is None:
            counters.succeeded += 1
        else:
            counters.failed += 1
            counters.errors_by_type[reply.error_type] += 1
        assert self._router is not None
        try:
            self._router.send_nowait(envelope, edge.encode(reply))
        except (PeerGone, PeerBusy) as exc:
            log.debug("reply %s to client %s not delivered: %s", reply.id, reply.client_id, exc)


async def serve(
    config: ServerConfig,
    *,
    store: SessionStore | None = None,
    handle_signals: bool = True,
    on_ready: Callable[[list[str]], None] | None = None,
) -> None:
    """Run a server with ``config`` until SIGINT/SIGTERM (``python -m stui_trio`` calls this).

    ``on_ready`` is called with the bound endpoints once requests are being served. Binding
    failures raise ``TransportError`` (not wrapped in an exception group).
    """
    server = Server(config, store=store)
    await server.serve(handle_signals=handle_signals, on_ready=on_ready)
