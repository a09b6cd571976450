"""How the console shows what the tool commands answer: inspectors, classes, methods.

The shapes are the server's (see ``docs/protocol.md``, "Tool commands"): an inspection has
``fields`` (named instance variables) and ``indexed`` (a page of elements, or key/value pairs
when ``is_dictionary``); ``browse_class`` answers ``class_info`` and ``methods_by_category``;
``get_method`` a ``method`` with its ``source``. Smalltalk source is highlighted with rich's
``Syntax`` and pygments' Smalltalk lexer (plain text on a pipe).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

SMALLTALK = "smalltalk"  # pygments' SmalltalkLexer


def _plain(*values: Any) -> list[Text]:
    """Table cells as plain text: print strings may hold ``[...]``, never rich markup."""
    return [Text(str(v)) for v in values]


def show_source(console: Console, source: str) -> None:
    console.print(Syntax(source, SMALLTALK, theme="ansi_dark", background_color="default",
                         word_wrap=True))


def show_evaluation(console: Console, result: Mapping[str, Any]) -> None:
    """Print-it: Transcript output first (as it happened), then the result and its class."""
    output = result.get("transcript_output")
    if output:
        console.print(Text(str(output).rstrip("\n"), style="cyan"))
    if result.get("mode") == "do":
        shown = Text("ok", style="green")
    else:
        shown = Text(str(result.get("result", "")), style="bold")
        if result.get("result_type"):
            shown.append(f"  ({result['result_type']})", style="dim")
    bound = result.get("bindings_changed") or []
    if bound:
        shown.append(f"  [bound: {', '.join(map(str, bound))}]", style="yellow")
    console.print(shown)


def show_inspection(console: Console, result: Mapping[str, Any], path: Sequence[Any]) -> None:
    """One inspector page: header, named fields, then the indexed page (or dictionary pairs)."""
    where = " ".join(str(step) for step in path)
    head = Text.assemble(
        ("inspecting ", "dim"), (str(result.get("print_string", "")), "bold"),
        (f"  ({result.get('class_name', '')})", "dim"),
        (f"  [{result.get('object_ref', '')}{' via ' + where if where else ''}]", "dim"),
    )
    console.print(head)
    fields = result.get("fields") or []
    if fields:
        table = Table(title="fields", title_justify="left")
        for column in ("name", "value", "class"):
            table.add_column(column, overflow="fold")
        for field in fields:
            table.add_row(*_plain(field.get("name", ""), field.get("print_string", ""),
                                  field.get("class", "")))
        console.print(table)
    indexed = result.get("indexed") or {}
    items = indexed.get("items") or []
    total = indexed.get("total", 0)
    if items:
        is_dict = bool(result.get("is_dictionary"))
        table = Table(title="pairs" if is_dict else "elements", title_justify="left")
        columns = ("#", "key", "value", "class") if is_dict else ("#", "value", "class")
        for column in columns:
            table.add_column(column, overflow="fold")
        for item in items:
            value = str(item.get("print_string", item.get("value", "")))
            row = [str(item.get("index", ""))]
            row += [str(item.get("key", ""))] if is_dict else []
            table.add_row(*_plain(*row, value, item.get("class", "")))
        console.print(table)
        first = indexed.get("offset", 0) + 1
        last = first + len(items) - 1
        more = "  (:more for the next page)" if last < total else ""
        console.print(f"items {first}-{last} of {total}{more}", style="dim")
    elif not fields:
        console.print("no fields, no indexed items", style="dim")


def show_class(console: Console, result: Mapping[str, Any]) -> None:
    info = result.get("class_info") or {}
    show_source(console, str(info.get("definition") or info.get("name", "")))
    if info.get("comment"):
        console.print(Text(f'"{info["comment"]}"', style="italic"))
    chain = result.get("superclass_chain") or []
    if chain:
        console.print(Text("superclasses: " + " → ".join(map(str, chain)), style="dim"))
    subclasses = result.get("subclasses") or []
    if subclasses:
        console.print(Text("subclasses: " + ", ".join(map(str, subclasses)), style="dim"))
    by_category = result.get("methods_by_category")
    if not isinstance(by_category, Mapping):
        by_category = _by_category(result.get("instance_methods") or [])
    _category_table(console, "instance side", by_category)
    class_side = _by_category(result.get("class_methods") or [])
    if class_side:
        _category_table(console, "class side", class_side)


def _by_category(methods: Sequence[Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for m in methods:
        if isinstance(m, Mapping):
            name = m.get("selector") or m.get("name", "")
            grouped.setdefault(str(m.get("category") or "as yet unclassified"), []).append(name)
        else:
            grouped.setdefault("as yet unclassified", []).append(str(m))
    return grouped


def _category_table(console: Console, title: str, grouped: Mapping[str, Any]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("category", style="bold")
    table.add_column("methods", overflow="fold")
    for category, selectors in grouped.items():
        table.add_row(*_plain(category, " ".join(map(str, selectors))))
    if grouped:
        console.print(table)
    else:
        console.print(f"{title}: no methods", style="dim")


def show_method(console: Console, method: Mapping[str, Any]) -> None:
    side = " class" if method.get("is_class_method") else ""
    owner = method.get("defined_in") or method.get("class_name", "")
    console.print(Text(f"{owner}{side}>>{method.get('selector') or method.get('name', '')}"
                       f"  [{method.get('category', '')}]", style="dim"))
    show_source(console, str(method.get("source", "")))


def show_method_refs(console: Console, title: str, result: Mapping[str, Any]) -> None:
    methods = result.get("methods") or []
    console.print(f"{title}: {result.get('count', len(methods))}", style="bold")
    for m in methods:
        side = " class" if m.get("is_class_method") else ""
        console.print(f"  {m.get('class_name', '')}{side}>>{m.get('selector', '')}",
                      markup=False, highlight=False)


def show_completions(console: Console, result: Mapping[str, Any]) -> None:
    items = result.get("completions") or []
    if not items:
        console.print(f"no completions for {result.get('prefix', '')!r}", style="dim")
    for item in items:
        console.print(Text.assemble(str(item.get("text", "")), ("  " + str(item.get("kind", "")),
                                                                 "dim")))
