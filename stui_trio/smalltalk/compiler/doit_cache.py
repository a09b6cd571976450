"""Compiled doits kept for re-use: running the same text again skips parse, codegen, compile().

A workspace tool sends the same doit text over and over (`3 + 4`, `x printString`, a class
definition replayed), and parsing plus Python's `compile()` cost several times what running a
small doit does. `PreparedDoit` is everything a doit's compilation produces that does not
depend on the workspace: the `_make` factory (already `exec`ed), its constants, the workspace
names it assigns. Each run calls the factory afresh with that run's workspace bindings, so one
cache serves every workspace of the image and no run sees another's bindings or closures.

What a compilation depends on, and how the cache keeps it right:
- the source text: the key;
- which names are image globals (codegen turns other free names into workspace variables):
  each entry carries the image's `names_version()` from before it was compiled and is
  dropped when that no longer matches. Values of globals, methods, and workspace bindings are
  read at run time, so changing them needs no recompilation;
- literals: a fresh runtime object is made for every literal at every run (`instantiate`), as
  an uncached compilation would, so a literal's identity is per run exactly as before (they are
  read-only anyway).

Syntax and compile errors are not cached (they are rare and cheap to find again), nor are long
doits (over `max_source_chars`, rarely re-run verbatim), which bounds the memory held: at most
`capacity` entries of short text. The cache is an LRU shared by the threads evaluating in the
image, guarded by its own small lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class PreparedDoit:
    """One compiled doit, ready to be bound to a workspace and run."""

    make: Callable[..., Any]  # the generated `_make(*consts, bindings)` factory
    consts: tuple[Any, ...]
    literals: tuple[tuple[int, Any], ...]  # (index in consts, parser literal value)
    assigned: frozenset[str]  # workspace names the doit assigns
    names_version: tuple[int, int]  # the image's names_version() it was compiled against

    def instantiate(self, literal: Callable[[Any], Any], bindings: dict) -> Any:
        """The doit's function for one run: fresh literal objects, `bindings` as workspace."""
        if not self.literals:
            return self.make(*self.consts, bindings)
        consts = list(self.consts)
        for index, value in self.literals:
            consts[index] = literal(value)
        return self.make(*consts, bindings)


class DoitCache:
    """A bounded, thread-safe LRU of `PreparedDoit`s keyed by source text."""

    def __init__(self, capacity: int = 256, max_source_chars: int = 4_000) -> None:
        self.capacity = capacity
        self.max_source_chars = max_source_chars
        self._entries: OrderedDict[str, PreparedDoit] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, source: str, names_version: tuple[int, int]) -> PreparedDoit | None:
        with self._lock:
            entry = self._entries.get(source)
            if entry is None:
                self.misses += 1
                return None
            if entry.names_version != names_version:
                del self._entries[source]
                self.misses += 1
                return None
            self._entries.move_to_end(source)
            self.hits += 1
            return entry

    def put(self, source: str, entry: PreparedDoit) -> None:
        if self.capacity <= 0 or len(source) > self.max_source_chars:
            return
        with self._lock:
            self._entries[source] = entry
            self._entries.move_to_end(source)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
