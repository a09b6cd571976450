"""The class browser's queries: class lists with glob and package filters, paged.

`list_classes_page` filters and pages the image's class list (the entries come from
`image_reflection.class_entries`); the remaining browser commands (`browse_class`, `get_method`,
senders, implementors) are thin wrappers in `commands.py` over `image_reflection`, which already
answers them in the protocol's shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from stui_trio.protocol.errors import InvalidRequest

DEFAULT_CLASS_LIMIT = 500
MAX_CLASS_LIMIT = 10_000


def _matches(value: str | None, pattern: str | None) -> bool:
    if pattern is None or pattern in ("", "*"):
        return True
    if value is None:
        return False
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(value, pattern) or fnmatchcase(value.lower(), pattern.lower())
    return value == pattern or value.lower() == pattern.lower()


def list_classes_page(
    entries: Iterable[Mapping[str, Any]], pattern: str | None, package: str | None,
    offset: int | None, limit: int | None,
) -> dict[str, Any]:
    """Classes whose name matches `pattern` (a glob, or an exact name) and whose package
    matches `package` (glob or exact, case-insensitive), sorted by name, one page of them."""
    offset = 0 if offset is None else offset
    limit = DEFAULT_CLASS_LIMIT if limit is None else limit
    if offset < 0:
        raise InvalidRequest("field 'offset' must be 0 or more", {"field": "offset"})
    if not 0 <= limit <= MAX_CLASS_LIMIT:
        raise InvalidRequest(
            f"field 'limit' must be within 0..{MAX_CLASS_LIMIT}", {"field": "limit"}
        )
    chosen = sorted(
        (dict(e) for e in entries
         if _matches(e["name"], pattern) and _matches(e.get("package"), package)),
        key=lambda e: e["name"],
    )
    return {
        "classes": chosen[offset:offset + limit],
        "total_count": len(chosen),
        "offset": offset,
        "limit": limit,
    }
