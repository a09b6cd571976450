"""What the server under test can do, asked once at run start.

Each tool op's command is tried once in a fresh session; a server that answers
``UnknownCommand`` does not have it, and the ops needing it leave the mix (the report says
"not available: server has no evaluate command"). Any other answer, even an error, means the
command exists; an error is noted, and the load will count it.
"""

from __future__ import annotations

import attrs

from bench.scenarios import Mix
from bench.scenarios.sessions import CLIENT_INFO
from stui_trio.client import Client, ClientOptions, StuiError


@attrs.frozen
class Probe:
    missing: frozenset[str]   # commands the server answered UnknownCommand to
    notes: tuple[str, ...]    # one line per finding, for the report


def probe(endpoint: str, mix: Mix, timeout: float = 10.0) -> Probe:
    missing: set[str] = set()
    notes: list[str] = []
    options = ClientOptions(endpoint=endpoint, client_id="bench-probe", timeout=timeout,
                            retries=0)
    with Client(options=options) as client:
        client.create_session(CLIENT_INFO)
        try:
            for op in mix.ops:
                if op.needs in missing:
                    continue
                try:
                    _try(client, op.needs)
                except StuiError as exc:
                    if exc.error_type == "UnknownCommand":
                        missing.add(op.needs)
                        notes.append(f"not available: server has no {op.needs} command "
                                     f"(op {op.name} skipped)")
                    else:
                        notes.append(f"{op.needs} answered {exc.error_type}: {exc.message:.120}")
        finally:
            client.close_session()
    return Probe(frozenset(missing), tuple(notes))


def _try(client: Client, command: str) -> None:
    if command == "update_session_state":
        client.update_session_state({"inspector_state": {}})
    elif command in ("create_session", "restore_session", "ping"):
        client.ping()  # the session commands exist in every build (issue 3)
    elif command == "evaluate":
        client.evaluate("3 + 4")
    elif command == "inspect":
        client.inspect(code="3 + 4")
    elif command == "browse_class":
        client.browse_class("Object")
    elif command == "complete":
        client.complete("3 fact")
    else:
        client.request(command)
