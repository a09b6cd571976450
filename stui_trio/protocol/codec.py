"""JSON at the edge, with orjson (≈8x cheaper per request than the stdlib ``json``).

Decoding checks size first (cheapest), then parses; a parse failure is told apart into "not
UTF-8" and "not JSON" so the client learns which one to fix. Encoding never raises into the
server: a result that cannot be encoded becomes an ``InternalError`` at the caller.
"""

from __future__ import annotations

from typing import Any

import orjson

from stui_trio.protocol.errors import InvalidRequest, MessageTooLarge


def decode_json(body: bytes, max_bytes: int) -> Any:
    """Parse one request body; raise ``MessageTooLarge`` or ``InvalidRequest``."""
    if len(body) > max_bytes:
        raise MessageTooLarge(
            f"request is {len(body)} bytes, over the server's limit of {max_bytes} bytes; "
            "send less data per request (the limit is the server setting max_message_bytes)",
            {"size": len(body), "limit": max_bytes},
        )
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise InvalidRequest(
                f"request is not valid UTF-8 (bad byte at offset {uexc.start}); "
                "encode the JSON text as UTF-8",
                {"offset": uexc.start},
            ) from None
        raise InvalidRequest(
            f"request is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "send one JSON object per message",
            {"line": exc.lineno, "column": exc.colno},
        ) from None


def encode_json(value: Any) -> bytes:
    """Serialize a reply; raises ``TypeError`` for values JSON cannot hold."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
