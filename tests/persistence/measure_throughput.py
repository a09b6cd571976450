"""Measure acknowledged update_session_state/s against a real server (not a test).

    .venv/bin/python tests/persistence/measure_throughput.py [--clients 1,50] [--seconds 5]
        [--durability full|relaxed] [--store durable|memory]

Starts ``python -m stui_trio`` on a temp sessions dir, gives each of N clients one session and
one DEALER socket, and keeps exactly one request in flight per client (closed loop) for the
given time. Prints acknowledged updates/s, latency p50/p99, and the session file size of a
typical session (10 bindings, 20 history entries, 50 transcript lines).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import zmq

REPO = Path(__file__).resolve().parents[2]


def typical_state(n: int) -> dict[str, Any]:
    return {
        "workspace_context": {
            f"var{i}": {"print_string": f"an OrderedCollection({i} {n})",
                        "class": "OrderedCollection", "object_ref": f"obj-{i}"}
            for i in range(10)
        },
        "history": [{"code": f"var{i} := OrderedCollection new add: {i}; yourself",
                     "result": f"an OrderedCollection({i})", "ok": True} for i in range(20)],
        "transcript": [f"line {i} of output {n}" for i in range(50)],
        "counter": n,
    }


def start(sdir: Path, durability: str, store: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "stui_trio", "--endpoint", "tcp://127.0.0.1:*",
         "--sessions-dir", str(sdir), "--durability", durability, "--session-store", store,
         "--log-level", "WARNING", "--rate-limit-per-second", "0"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line.split()[-1]


def run(endpoint: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    ctx = zmq.Context.instance()
    socks, sids = [], []
    for i in range(clients):
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(endpoint)
        s.send_multipart([b"", orjson.dumps(
            {"id": "c", "command": "create_session", "client_id": f"bench-{i}"})])
        sids.append(orjson.loads(s.recv_multipart()[-1])["result"]["session_id"])
        socks.append(s)
    poller = zmq.Poller()
    for s in socks:
        poller.register(s, zmq.POLLIN)
    sent_at: dict[int, float] = {}
    counter = [0] * clients

    def send(i: int) -> None:
        counter[i] += 1
        socks[i].send_multipart([b"", orjson.dumps({
            "id": str(counter[i]), "command": "update_session_state", "client_id": f"bench-{i}",
            "parameters": {"session_id": sids[i], "state_data": typical_state(counter[i])}})])
        sent_at[i] = time.perf_counter()

    latencies: list[float] = []
    acked = 0
    index = {s: i for i, s in enumerate(socks)}
    t0 = time.perf_counter()
    for i in range(clients):
        send(i)
    while time.perf_counter() - t0 < seconds:
        for sock, _ in poller.poll(1000):
            i = index[sock]
            reply = orjson.loads(sock.recv_multipart()[-1])
            assert reply["status"] == "success", reply
            latencies.append(time.perf_counter() - sent_at[i])
            acked += 1
            send(i)
    elapsed = time.perf_counter() - t0
    for s in socks:
        s.close(0)
    return acked / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="1,50")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--durability", default="full")
    parser.add_argument("--store", default="durable")
    args = parser.parse_args()
    for n in (int(x) for x in args.clients.split(",")):
        with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
            sdir = Path(tmp) / "sessions"
            proc, endpoint = start(sdir, args.durability, args.store)
            try:
                rate, lat = run(endpoint, n, args.seconds)
            finally:
                proc.terminate()
                proc.wait(20)
            q = statistics.quantiles(lat, n=100)
            sizes = [p.stat().st_size for p in sdir.glob("*/session_*.ston")]
            print(f"{args.store}/{args.durability} clients={n}: {rate:,.0f} acked updates/s, "
                  f"p50 {q[49] * 1000:.2f} ms, p99 {q[98] * 1000:.2f} ms"
                  + (f", session file {statistics.median(sizes):,.0f} bytes" if sizes else ""))


if __name__ == "__main__":
    main()
