"""Recipe 5a one level up: kill -9 the real server at random moments while several clients
stream acknowledged updates; after every restart each acknowledged value must be there.

Per client, updates carry an increasing counter and a body derived from it; the stored value
must be at least the last acknowledged counter, at most the last one sent (an unacknowledged
update may or may not have made it), and internally consistent (never a mix of two updates).
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import zmq

from tests.conftest import WireClient
from tests.persistence.support import Servers, create, restore

KILLS = 20
CLIENTS = 4


def body(n: int) -> dict[str, Any]:
    return {"counter": n, "mirror": {"n": n, "list": [n] * (n % 7), "text": "é" * (n % 11)}}


def check(state: dict[str, Any], acked: int, sent: int, who: str) -> int:
    n = state.get("counter", -1)
    assert acked <= n <= sent, f"{who}: stored {n}, acked {acked}, sent {sent}"
    if n >= 0:
        assert state["mirror"] == body(n)["mirror"], f"{who}: torn state at {n}"
    return n


class Streamer(threading.Thread):
    def __init__(self, endpoint: str, client_id: str, session_id: str, start_at: int) -> None:
        super().__init__(daemon=True)
        self.endpoint, self.client_id, self.session_id = endpoint, client_id, session_id
        self.next = start_at
        self.acked = -1
        self.stop = threading.Event()

    def run(self) -> None:
        with WireClient(self.endpoint, self.client_id, timeout_ms=300) as w:
            while not self.stop.is_set():
                n = self.next
                self.next += 1
                try:
                    reply = w.call("update_session_state", parameters={
                        "session_id": self.session_id, "state_data": body(n)})
                except zmq.Again:
                    return  # the server died with this update in flight
                assert reply["status"] == "success", reply
                self.acked = n


def test_acknowledged_updates_survive_kill9_loop(start_server, tmp_path: Path) -> None:
    rng = random.Random(20261127)
    servers = Servers(start_server, tmp_path / "sessions")
    server = servers.start()
    ids = [f"kill-{i}" for i in range(CLIENTS)]
    sids = {}
    for cid in ids:
        with servers.client(cid) as c:
            sids[cid] = create(c)
    acked = dict.fromkeys(ids, -1)
    sent = dict.fromkeys(ids, -1)
    total_acked = 0
    started = time.monotonic()
    for _ in range(KILLS):
        streamers = [Streamer(server.endpoint, cid, sids[cid], sent[cid] + 1) for cid in ids]
        for s in streamers:
            s.start()
        time.sleep(rng.uniform(0.02, 0.2))
        servers.kill9()
        for s in streamers:
            s.stop.set()
        for s in streamers:
            s.join(5)
            assert not s.is_alive()
            if s.acked >= 0:
                total_acked += s.acked - (sent[s.client_id] + 1) + 1
            acked[s.client_id] = max(acked[s.client_id], s.acked)
            sent[s.client_id] = s.next - 1
        server = servers.start()
        for cid in ids:
            with servers.client(cid) as c:
                stored = check(restore(c, sids[cid])["state_data"], acked[cid], sent[cid], cid)
            # Continue from what is stored, so "sent" stays an upper bound for the next round.
            sent[cid] = max(sent[cid], stored)
    assert all(a > 0 for a in acked.values()), acked  # the streams did make progress
    assert total_acked > KILLS
    assert time.monotonic() - started < 40
