"""The sweeper: every ``cleanup_interval`` seconds, expire sessions whose timeout passed and
end client tasks idle for longer than ``client_idle_timeout`` (their sessions live on). With a
durable store it also runs the store's disk sweep (``sessions/disk_sweep.py``): expiry of
stored sessions nobody has loaded since start, and removal of files past their maximum age.

It runs as a ``trio_util.periodic`` loop in the root nursery; a failing sweep is logged and
the next one still runs (the sweeper must not take the server down).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import trio
from trio_util import periodic

from stui_trio.server.client_task import ClientTable
from stui_trio.sessions.manager import SessionManager

log = logging.getLogger(__name__)


async def sweep_once(sessions: SessionManager, clients: ClientTable) -> tuple[int, int]:
    expired = await sessions.sweep()
    idle = clients.end_idle(trio.current_time())
    if expired or idle:
        log.info("sweep: expired %d sessions, ended %d idle client tasks", len(expired), idle)
    return len(expired), idle


async def run_sweeper(
    interval: float,
    sessions: SessionManager,
    clients: ClientTable,
    store_sweep: Callable[[], Awaitable[Any]] | None = None,
) -> None:
    first = True
    async for _ in periodic(interval):
        if first:  # periodic yields at once; the first sweep is one interval in
            first = False
            continue
        try:
            await sweep_once(sessions, clients)
        except Exception:
            log.exception("sweep failed; will retry at the next interval")
        if store_sweep is not None:
            try:
                await store_sweep()
            except Exception:
                log.exception("disk sweep failed; will retry at the next interval")
