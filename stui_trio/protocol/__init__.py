"""The protocol layer: bytes at the edge become validated values, replies become bytes.

Stands on the standard library, attrs/cattrs and orjson only (no server, no sessions):

- ``errors``   the error hierarchy, one class per ``error_type`` of PROTOCOL.md
- ``messages`` ``Request``/``Reply`` values and the timestamp format
- ``codec``    orjson decode (size, UTF-8, JSON checks) and encode
- ``dialects`` command style and envelope style, translated at this one seam
- ``edge``     ``decode(bytes) -> Request | Rejected`` and ``encode(Reply) -> bytes``
- ``params``   strict cattrs structuring of each command's attrs parameter class
- ``commands`` the command registry and the context a handler receives
"""
