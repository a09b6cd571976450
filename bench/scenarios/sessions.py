"""Session operations (issue 3's traffic): ping, create, restore and update a session.

Each simulated client holds one session from setup to teardown (``caller.session_id``), so
"RSS per connected client" is measured with one session each. ``create_session`` creates a
second session and closes it at once, keeping the client under ``max_sessions_per_client``.
Against the echo baseline a created session has no id; the placeholder is sent in its place,
so the requests keep their size.
"""

from __future__ import annotations

from bench.scenarios.base import Caller, Op

STATE = {
    "workspace_context": {
        "x": {"print_string": "42", "class": "SmallInteger"},
        "greeting": {"print_string": "'hello world'", "class": "ByteString"},
    },
    "inspector_state": {"open": []},
}
CLIENT_INFO = {"platform": "bench", "version": "1", "capabilities": ["evaluate"],
               "subscription_tier": "free"}
PLACEHOLDER_SESSION = "bench-placeholder-session-id-000000"


async def _ping(caller: Caller, start_ns: int) -> None:
    await caller.call("ping", "ping", {}, start_ns=start_ns)


async def _idle_ping(caller: Caller, start_ns: int) -> None:
    await caller.call("idle_ping", "ping", {}, start_ns=start_ns)


async def _create(caller: Caller, start_ns: int) -> None:
    created = await caller.call("create_session", "create_session",
                                {"client_info": CLIENT_INFO}, start_ns=start_ns)
    if created is None:
        return
    sid = str(created.get("session_id") or PLACEHOLDER_SESSION)
    await caller.call("close_session", "close_session", {}, session_id=sid)


async def _restore(caller: Caller, start_ns: int) -> None:
    await caller.call("restore_session", "restore_session", {},
                      session_id=caller.session_id, start_ns=start_ns)


async def _update(caller: Caller, start_ns: int) -> None:
    await caller.call("update_session_state", "update_session_state", {"state_data": STATE},
                      session_id=caller.session_id, start_ns=start_ns)


PING = Op("ping", _ping, "ping", "ping")
IDLE_PING = Op("idle_ping", _idle_ping, "ping",
               "ping from a client that does nothing else (paced), while others load the server")
CREATE = Op("create_session", _create, "create_session",
            "create_session, then close_session of the new session")
RESTORE = Op("restore_session", _restore, "restore_session",
             "restore_session of the client's session")
UPDATE = Op("update_session_state", _update, "update_session_state",
            "update_session_state with ~200 bytes of workspace state")
