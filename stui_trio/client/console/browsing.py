"""The console's browser: classes, methods, senders and implementors; defining and compiling.

``:browse Class`` shows the definition, comment, superclass chain and methods by category;
``:method Class>>sel`` (``Class class>>sel`` for the class side) the highlighted source.
``:define`` and ``:compile Class [category]`` take source over several lines, ended by a
line holding only ``!`` (Smalltalk's chunk terminator; blank lines inside a method are
fine), or by end of input. ``:define`` also takes a one-line definition as its argument.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from rich.console import Console

from stui_trio.client.console import render, render_tools
from stui_trio.client.console.usage import UsageError
from stui_trio.client.errors import StuiError
from stui_trio.client.sync_client import Client

METHOD_USAGE = ":method Class>>selector   (or 'Class class>>selector')"


def split_method_ref(arg: str) -> tuple[str, str, bool]:
    """``'Foo class>>bar:'`` -> ``('Foo', 'bar:', True)``."""
    class_name, sep, selector = arg.strip().partition(">>")
    class_name, selector = class_name.strip(), selector.strip()
    if not sep or not class_name or not selector:
        raise UsageError(METHOD_USAGE)
    is_meta = class_name.endswith(" class")
    return class_name.removesuffix(" class").strip(), selector, is_meta


@attrs.define
class Browser:
    client: Client
    console: Console
    read_block: Callable[[str], str | None]  # prompt -> source up to a "!" line

    def browse(self, arg: str) -> None:
        name = arg.strip()
        if not name:
            raise UsageError(":browse ClassName")
        render_tools.show_class(self.console, self.client.browse_class(name,
                                                                       include_methods=True))

    def method(self, arg: str) -> None:
        class_name, selector, is_meta = split_method_ref(arg)
        result = self.client.get_method(class_name, selector, is_class_method=is_meta)
        render_tools.show_method(self.console, result.get("method") or {})

    def senders(self, arg: str) -> None:
        if not arg.strip():
            raise UsageError(":senders selector")
        result = self.client.find_senders(arg.strip())
        render_tools.show_method_refs(self.console, f"senders of #{arg.strip()}", result)

    def implementors(self, arg: str) -> None:
        if not arg.strip():
            raise UsageError(":implementors selector")
        result = self.client.find_implementors(arg.strip())
        render_tools.show_method_refs(self.console, f"implementors of #{arg.strip()}", result)

    def classes(self, arg: str) -> None:
        result = self.client.list_classes(pattern=arg.strip() or None)
        render.show_rows(self.console, f"classes ({result.get('total_count', '?')})",
                         result.get("classes", []), ["name", "superclass", "package"])

    def define(self, arg: str) -> None:
        source = arg.strip() or self._source("class definition")
        if not source:
            raise UsageError(":define   then the definition, ended by a line with only !")
        try:
            result = self.client.define_class(source)
        except StuiError as exc:
            render.show_error(self.console, exc, source=source)
            return
        what = "created" if result.get("created") else (
            "changed" if result.get("changed") else "unchanged")
        self.console.print(f"class {result.get('class_name', '')} {what}", markup=False)

    def compile(self, arg: str) -> None:
        words = arg.split()
        if not words:
            raise UsageError(":compile Class [class] [category]   then the source, ended by !")
        is_meta = len(words) > 1 and words[1] == "class"
        category = " ".join(words[2:] if is_meta else words[1:]) or None
        source = self._source(f"method for {words[0]}{' class' if is_meta else ''}")
        if not source:
            raise UsageError(":compile Class [class] [category]   then the source, ended by !")
        try:
            result = self.client.compile_method(words[0], source, category=category,
                                                is_class_method=is_meta)
        except StuiError as exc:
            render.show_error(self.console, exc, source=source)
            return
        side = " class" if result.get("is_class_method") else ""
        self.console.print(f"compiled {result.get('class_name', '')}{side}>>"
                           f"{result.get('selector', '')}  [{result.get('category') or ''}]",
                           markup=False)

    def _source(self, what: str) -> str | None:
        self.console.print(f"enter the {what}; end with a line holding only !", style="dim")
        return self.read_block("src> ")
