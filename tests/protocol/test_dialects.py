"""The edge in-process: decoding both dialects, the top-level fallback, reply shapes."""

from __future__ import annotations

import orjson
import pytest

from stui_trio.protocol import edge
from stui_trio.protocol.errors import ALL_ERRORS, BY_TYPE
from stui_trio.protocol.messages import Dialect


def decode(obj: object, limit: int = 10_000):
    return edge.decode(orjson.dumps(obj), limit)


def test_error_types_are_one_to_one() -> None:
    assert len(BY_TYPE) == len(ALL_ERRORS) == 20
    assert BY_TYPE["SyntaxError"].__name__ == "SyntaxError_"


def test_command_style_parameters_win() -> None:
    request = decode({"id": "r", "command": "x", "client_id": "c", "code": "top",
                      "other": 1, "parameters": {"code": "inner", "session_id": "s"}})
    assert request.parameters == {"code": "inner", "other": 1, "session_id": "s"}
    assert request.session_id == "s" and request.dialect is Dialect.COMMAND


def test_envelope_maps_request_type() -> None:
    request = decode({"id": "e", "payload": {"type": "Request", "data": {
        "request_type": "BrowseClass", "params": {"class_name": "Object", "client_id": "r"}}}})
    assert request.command == "browse_class" and request.client_id == "r"
    assert request.parameters == {"class_name": "Object"} and request.request_type == "BrowseClass"


@pytest.mark.parametrize("ok", [True, False])
def test_envelope_reply_shape(ok: bool) -> None:
    request = decode({"id": "e", "payload": {"type": "Request",
                                             "data": {"request_type": "Ping"}}})
    if ok:
        reply = edge.reply_to(request, result={"status": "ready"})
    else:
        reply = edge.reply_to(request, error=BY_TYPE["Timeout"]("too slow", {"ms": 5}))
    out = orjson.loads(edge.encode(reply))
    data = out["payload"]["data"]
    assert out["id"] == "e" and out["payload"]["type"] == "Response"
    if ok:
        assert data == {"response_type": "Pong", "status": "ready"}
    else:
        assert data == {"response_type": "Error", "code": "Timeout", "message": "too slow",
                        "details": {"ms": 5}}


def test_unencodable_result_becomes_internal_error() -> None:
    request = decode({"command": "x", "client_id": "c"})
    out = orjson.loads(edge.encode(edge.reply_to(request, result={"bad": object()})))
    assert out["error_type"] == "InternalError"


def test_huge_integer_is_read_as_a_float() -> None:
    request = edge.decode(b'{"command": "ping", "n": 123456789012345678901234567890}', 1000)
    assert request.parameters["n"] == pytest.approx(1.2345678901234568e29)
