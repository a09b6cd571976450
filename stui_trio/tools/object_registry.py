"""A session's object registry: stable references (`object_ref`) to objects a client has seen.

Every evaluation result and every object the inspector reaches gets a reference such as
`obj-42`, so a client can come back to it ("inspect obj-42", "field 3 of obj-42") without
re-evaluating. References belong to one session; another session's registry never sees them.
The registry is bounded: past `capacity`, the least recently used references are dropped (a
client asking for one then gets ObjectNotFound). An object registered twice keeps its first
reference, so identity is visible to the client.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator


class ObjectRegistry:
    """Maps `obj-N` references to objects (and objects back to their reference, by identity)."""

    PREFIX = "obj-"

    def __init__(self, capacity: int, next_number: int = 1) -> None:
        if capacity < 1:
            raise ValueError("object registry capacity must be at least 1")
        self._capacity = capacity
        self._next = next_number
        self._by_ref: OrderedDict[str, object] = OrderedDict()
        self._ref_by_id: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._by_ref)

    def __contains__(self, ref: str) -> bool:
        return ref in self._by_ref

    def items(self) -> Iterator[tuple[str, object]]:
        return iter(list(self._by_ref.items()))

    def recent(self, limit: int) -> list[tuple[str, object]]:
        """The ``limit`` most recently used references, oldest first."""
        if limit <= 0:
            return []
        if limit >= len(self._by_ref):
            return list(self._by_ref.items())
        newest = []
        for item in reversed(self._by_ref.items()):
            newest.append(item)
            if len(newest) == limit:
                break
        return newest[::-1]

    @property
    def next_number(self) -> int:
        return self._next

    def register(self, obj: object) -> str:
        """Return the object's reference, registering it if it is new."""
        ref = self._ref_by_id.get(id(obj))
        if ref is not None and self._by_ref.get(ref) is obj:
            self._by_ref.move_to_end(ref)
            return ref
        ref = f"{self.PREFIX}{self._next}"
        self._next += 1
        self._put(ref, obj)
        return ref

    def restore(self, entries: Iterable[tuple[str, object]]) -> None:
        """Put back references saved with the session, keeping their names."""
        for ref, obj in entries:
            self._put(ref, obj)
            number = ref.removeprefix(self.PREFIX)
            if number.isdigit():
                self._next = max(self._next, int(number) + 1)

    def lookup(self, ref: str) -> object:
        """The object behind `ref`; KeyError when it was never registered or was dropped."""
        obj = self._by_ref[ref]
        self._by_ref.move_to_end(ref)
        return obj

    def _put(self, ref: str, obj: object) -> None:
        self._by_ref[ref] = obj
        self._ref_by_id[id(obj)] = ref
        while len(self._by_ref) > self._capacity:
            old_ref, old_obj = self._by_ref.popitem(last=False)
            if self._ref_by_id.get(id(old_obj)) == old_ref:
                del self._ref_by_id[id(old_obj)]
