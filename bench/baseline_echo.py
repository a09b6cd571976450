"""The transport's floor: a blocking pyzmq ROUTER that echoes every request as its reply.

Run as a process (``python -m bench.baseline_echo --endpoint tcp://127.0.0.1:*``); it prints
``READY <endpoint>`` once bound and serves until SIGTERM/SIGINT.

The reply is the request itself with ``"status":"success","result":{}`` spliced in front of
its first key — a byte-level splice, no JSON parsing — so the benchmark's clients run their
normal code path (send, receive, decode, check status) against it, with replies the size of
the requests plus 31 bytes. The envelope (routing id, delimiter) is mirrored as the real
server does.
"""

from __future__ import annotations

import argparse
import signal
import sys

import zmq

_PREFIX = b'{"status":"success","result":{},'


def echo_reply(body: bytes) -> bytes:
    """The request object with a success status spliced in (``{}`` stays a valid object)."""
    if body.startswith(b"{") and len(body) > 2:
        return _PREFIX + body[1:]
    return _PREFIX[:-1] + b"}"


def serve(endpoint: str) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.bind(endpoint)
    print("READY", sock.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    stop = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    while not stop:
        # poll with a timeout only so a signal is noticed; the hot path is recv/send below.
        if not poller.poll(200):
            continue
        while True:
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            frames[-1] = echo_reply(frames[-1])
            sock.send_multipart(frames)
    sock.close(linger=0)
    ctx.term()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:*")
    serve(parser.parse_args(argv).endpoint)
    return 0


if __name__ == "__main__":
    sys.exit(main())
