"""Graceful shutdown: the signal watcher, and the order things stop in.

On SIGINT or SIGTERM the supervisor (1) stops taking work: the reader keeps reading but answers
every new request ``ShuttingDown``; (2) closes every client's queue so each task finishes what
it already accepted; (3) waits up to ``shutdown_grace_period`` for that; (4) cancels what is
left (those requests are answered ``ShuttingDown``); (5) closes the socket and returns, so the
process exits 0. A second signal during the grace period skips the wait.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

import trio

log = logging.getLogger(__name__)


async def watch_signals(
    on_signal: Callable[[int], None], task_status: Any = trio.TASK_STATUS_IGNORED
) -> None:
    """Call ``on_signal`` for each SIGINT/SIGTERM; reports started once the handlers are in."""
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        task_status.started()
        async for signum in signals:
            log.info("received %s", signal.Signals(signum).name)
            on_signal(signum)
