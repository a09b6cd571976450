"""The console's inspector: look into an object, walk into its fields, page its elements.

``:inspect EXPR`` evaluates EXPR and makes the result the *current inspectee*. From there
``:field N`` (a field name, or a 1-based element index, or a dictionary key) goes one step
in, ``:path a b 3`` several at once, ``:back`` returns, ``:more`` / ``:page N`` page through
the indexed elements (``page_size`` at a time). Navigation is the server's ``inspect`` with
``object_ref`` and ``path``, so every object reached is registered there too.
"""

from __future__ import annotations

import shlex
from typing import Any

import attrs
from rich.console import Console

from stui_trio.client.console import render_tools
from stui_trio.client.console.usage import UsageError
from stui_trio.client.sync_client import Client

PAGE_SIZE = 20


@attrs.frozen
class Inspectee:
    object_ref: str
    path: tuple[str | int, ...]  # how we got here from the inspected expression (display only)
    total: int
    offset: int


def _step(token: str) -> str | int:
    return int(token) if token.isdigit() else token


@attrs.define
class Inspector:
    client: Client
    console: Console
    page_size: int = PAGE_SIZE
    trail: list[Inspectee] = attrs.field(factory=list)  # the last one is current

    def inspect(self, arg: str) -> None:
        if not arg:
            raise UsageError(":inspect EXPRESSION")
        result = self.client.inspect(code=arg, limit=self.page_size)
        self.trail = []
        self._show(result, ())

    def field(self, arg: str) -> None:
        if not arg:
            raise UsageError(":field NAME-OR-INDEX")
        self._walk([arg.strip()])

    def path(self, arg: str) -> None:
        steps = shlex.split(arg)
        if not steps:
            raise UsageError(":path STEP [STEP ...]   (field names, 1-based indices, keys)")
        self._walk(steps)

    def back(self, _arg: str) -> None:
        if len(self.trail) < 2:
            self.console.print("nothing to go back to")
            return
        self.trail.pop()
        here = self.trail.pop()
        self._fetch(here.object_ref, [], here.path, here.offset)

    def more(self, _arg: str) -> None:
        here = self._current()
        offset = here.offset + self.page_size
        if offset >= here.total:
            self.console.print("no more items")
            return
        self.trail.pop()
        self._fetch(here.object_ref, [], here.path, offset)

    def page(self, arg: str) -> None:
        if not arg.strip().isdigit() or int(arg) < 1:
            raise UsageError(":page N   (1-based)")
        here = self.trail.pop() if self.trail else None
        if here is None:
            raise UsageError(":inspect EXPRESSION first")
        self._fetch(here.object_ref, [], here.path, (int(arg) - 1) * self.page_size)

    def _current(self) -> Inspectee:
        if not self.trail:
            raise UsageError(":inspect EXPRESSION first")
        return self.trail[-1]

    def _walk(self, tokens: list[str]) -> None:
        here = self._current()
        steps = [_step(t) for t in tokens]
        self._fetch(here.object_ref, steps, here.path + tuple(steps), 0)

    def _fetch(self, ref: str, steps: list[str | int], path: tuple[Any, ...], offset: int) -> None:
        result = self.client.inspect(object_ref=ref, path=steps or None, offset=offset,
                                     limit=self.page_size)
        self._show(result, path)

    def _show(self, result: dict[str, Any], path: tuple[Any, ...]) -> None:
        indexed = result.get("indexed") or {}
        self.trail.append(Inspectee(
            object_ref=str(result.get("object_ref", "")), path=path,
            total=int(indexed.get("total", 0)), offset=int(indexed.get("offset", 0)),
        ))
        render_tools.show_inspection(self.console, result, path)
