"""The inspector: one object's fields, indexed elements (paged) and dictionary pairs, by path.

`inspect_object` turns an object into the `inspect` command's result. It knows objects only
through `ObjectView` (see `engine_port.object_view`), handed in as the `view_of` callable, so the
paging and navigation rules here are plain logic:

- named fields come first, each with its own `object_ref` (registering it, so a client can dive
  into it next);
- indexed elements (Array, OrderedCollection, String...) come in `indexed` pages: `offset`
  (0-based) and `limit`, with `total` so a client can page on;
- a dictionary's associations come in the same page shape, each item with `key` and `value`
  (print strings, classes and refs of both).
- `path` walks from the start object before showing it: a field name, a 1-based index
  (int or digit string) into the indexed part, or for a dictionary the print string of a key.
  Every object passed on the way is registered.

`InspectorState` is the session's inspector selection plus its navigation history (persisted
with the session as `inspector_state`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from stui_trio.protocol.errors import InvalidRequest, ObjectNotFound
from stui_trio.tools.engine_port import ObjectView
from stui_trio.tools.object_registry import ObjectRegistry

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_PRINT = 1000  # characters of a print string shown per field


@attrs.define
class InspectorState:
    """The inspector's selection and its navigation history (newest last, bounded)."""

    capacity: int = 50
    selection: str | None = None
    history: list[str] = attrs.field(factory=list)

    def visit(self, ref: str) -> None:
        self.selection = ref
        if self.history and self.history[-1] == ref:
            return
        self.history.append(ref)
        del self.history[: max(0, len(self.history) - self.capacity)]

    def snapshot(self) -> dict[str, Any]:
        return {"selection": self.selection, "history": list(self.history)}

    @classmethod
    def restore(cls, data: dict[str, Any], capacity: int = 50) -> InspectorState:
        history = [str(r) for r in data.get("history", [])][-capacity:]
        return cls(capacity, data.get("selection"), history)


def clip(text: str, limit: int = MAX_PRINT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_bounds(total: int, offset: int | None, limit: int | None) -> tuple[int, int]:
    """Validated (offset, limit) for a page of `total` elements."""
    offset = 0 if offset is None else offset
    limit = DEFAULT_LIMIT if limit is None else limit
    if offset < 0:
        raise InvalidRequest("field 'offset' must be 0 or more", {"field": "offset"})
    if not 0 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"field 'limit' must be within 0..{MAX_LIMIT}", {"field": "limit"})
    return min(offset, total), limit


def navigate(
    start: Any, path: Sequence[str | int], view_of: Callable[[Any], ObjectView],
    registry: ObjectRegistry,
) -> Any:
    """Follow `path` from `start`, registering each object reached; answers the last one."""
    obj = start
    for depth, step in enumerate(path):
        view = view_of(obj)
        obj = _step(view, step, path[: depth + 1])
        registry.register(obj)
    return obj


def _step(view: ObjectView, step: str | int, where: Sequence[str | int]) -> Any:
    if isinstance(step, str):
        for name, value in view.named:
            if name == step:
                return value
        if view.pairs is not None:
            for key, value in view.pairs:
                if _key_matches(key, step):
                    return value
    index = _as_index(step)
    if index is not None:
        elements = view.indexed if view.indexed is not None else None
        if elements is not None and 1 <= index <= len(elements):
            return elements[index - 1]
        if view.pairs is not None and 1 <= index <= len(view.pairs):
            return view.pairs[index - 1][1]
    names = [name for name, _ in view.named]
    raise ObjectNotFound(
        f"path {list(where)!r}: a {view.class_name} has no field {step!r} (fields: "
        f"{names}, indexed size: {view.size}); use a field name or a 1-based index",
        {"path": list(where), "class_name": view.class_name},
    )


def _key_matches(key: Any, step: str) -> bool:
    if isinstance(key, str):
        return key == step
    text = getattr(key, "s", None)  # Symbol / String objects of the engine keep `s`
    return isinstance(text, str) and (text == step or f"#{text}" == step)


def _as_index(step: str | int) -> int | None:
    if isinstance(step, bool):
        return None
    if isinstance(step, int):
        return step
    return int(step) if step.isdigit() else None


def inspect_object(
    obj: Any, view_of: Callable[[Any], ObjectView],
    summary_of: Callable[[Any], tuple[str, str]], registry: ObjectRegistry,
    offset: int | None = None, limit: int | None = None,
) -> dict[str, Any]:
    """The `inspect` result for `obj`; `summary_of(x)` answers (print string, class name)."""
    view = view_of(obj)

    def describe(value: Any) -> dict[str, Any]:
        text, class_name = summary_of(value)
        return {"print_string": clip(text), "class": class_name,
                "object_ref": registry.register(value)}

    fields = [{"name": name, **describe(value)} for name, value in view.named]
    start, count = page_bounds(view.size, offset, limit)
    items: list[dict[str, Any]] = []
    if view.pairs is not None:
        for i, (key, value) in enumerate(view.pairs[start:start + count], start + 1):
            key_info, value_info = describe(key), describe(value)
            items.append({
                "index": i, "key": key_info["print_string"], "key_class": key_info["class"],
                "key_ref": key_info["object_ref"], "value": value_info["print_string"],
                **value_info,
            })
    elif view.indexed is not None:
        for i, value in enumerate(view.indexed[start:start + count], start + 1):
            items.append({"index": i, **describe(value)})
    result: dict[str, Any] = {
        "object_ref": registry.register(obj),
        "class_name": view.class_name,
        "print_string": clip(view.print_string, 10 * MAX_PRINT),
        "hash": view.hash,
        "size": view.size,
        "fields": fields,
        "indexed": {"offset": start, "limit": count, "total": view.size, "items": items},
    }
    if view.pairs is not None:
        result["is_dictionary"] = True
    return result
