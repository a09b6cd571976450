"""The first scenario (issue 3): session traffic.

Each loop: ``create_session``, ``ping``, ``update_session_state`` (a small workspace, ~200
bytes of state), ``close_session`` — closing keeps the client under
``max_sessions_per_client``. Against the echo baseline the same requests go out; the echo's
``create_session`` returns no id, so a fixed placeholder id is sent in its place.
"""

from __future__ import annotations

from bench.scenarios.base import Limits, Recorder
from stui_trio.client import Client

STATE = {
    "workspace_context": {
        "x": {"print_string": "42", "class": "SmallInteger"},
        "greeting": {"print_string": "'hello world'", "class": "ByteString"},
    },
    "inspector_state": {"open": []},
}
CLIENT_INFO = {"platform": "bench", "version": "1", "capabilities": ["evaluate"],
               "subscription_tier": "free"}
_PLACEHOLDER = "bench-placeholder-session-id-000000"


def sessions_scenario(client: Client, limits: Limits, record: Recorder) -> None:
    done = 0
    while not limits.done(done):
        created = record("create_session", client.create_session, CLIENT_INFO)
        sid = created.get("session_id") or _PLACEHOLDER
        record("ping", client.ping)
        record("update_session_state", client.update_session_state, STATE, sid)
        record("close_session", client.close_session, sid)
        done += 1
