"""How the console shows things: results, tables, and errors a person can act on.

Output goes through a rich ``Console``; on a pipe rich drops colour, so tests read plain text.
Every error reply shows its ``error_type`` and message; an ``EvaluationError`` also shows the
Smalltalk stack from ``details.stack``, a ``SyntaxError`` the line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from stui_trio.client.errors import StuiError

# Error types whose message already says all the details hold (the details are for programs).
_SELF_EXPLAINED = frozenset({"ClientTimeout", "UnknownCommand"})


def show_error(console: Console, exc: StuiError, source: str | None = None) -> None:
    """The error type and message; then what its details say: the Smalltalk stack of an
    ``EvaluationError``, the offending line with a caret under the column of a
    ``SyntaxError`` (when the ``source`` sent is given)."""
    console.print(Text.assemble((f"{exc.error_type}", "bold red"), ": ", exc.message))
    details = exc.details
    if exc.error_type == "EvaluationError":
        if details.get("error_class") or details.get("message_text"):
            console.print(f"  {details.get('error_class', '')}: {details.get('message_text', '')}",
                          markup=False)
        output = details.get("transcript_output")
        if output:
            console.print(Text(str(output).rstrip("\n"), style="cyan"))
        stack = details.get("stack") or []
        if stack:
            console.print(Text("  stack (innermost first):", style="dim"))
        for frame in stack if isinstance(stack, list) else []:
            console.print(Text("    " + _frame_text(frame), style="dim"))
    elif exc.error_type == "SyntaxError" and details:
        where = ", ".join(f"{k} {details[k]}" for k in ("line", "column") if k in details)
        expected = details.get("expected")
        console.print(f"  at {where}" + (f"; expected {expected}" if expected else ""),
                      markup=False)
        _caret(console, source, details.get("line"), details.get("column"))
    elif details and exc.error_type not in _SELF_EXPLAINED:
        console.print(Text(_short(f"details: {details}"), style="dim"))


def _caret(console: Console, source: str | None, line: Any, column: Any) -> None:
    if not source or not isinstance(line, int) or not isinstance(column, int):
        return
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return
    text = lines[line - 1].replace("\t", " ")
    console.print(Text(f"  {line:>3} | {text}"))
    console.print(Text("      | " + " " * max(0, column - 1) + "^", style="bold red"))


def _frame_text(frame: Any) -> str:
    if not isinstance(frame, Mapping):
        return str(frame)
    receiver = frame.get("class") or frame.get("receiver_class") or frame.get("class_name")
    selector = frame.get("selector") or frame.get("method")
    head = f"{receiver}>>{selector}" if receiver and selector else str(selector or receiver or "")
    line = frame.get("line")
    rest = {k: v for k, v in frame.items()
            if k not in ("class", "receiver_class", "class_name", "selector", "method", "line")}
    text = head + (f" (line {line})" if line is not None else "")
    return text + (f" {rest}" if rest else "") if head else str(dict(frame))


def show_mapping(console: Console, title: str, data: Mapping[str, Any]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("key", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        table.add_row(Text(str(key)), Text(_cell(value)))
    console.print(table)


def show_rows(
    console: Console, title: str, rows: Iterable[Mapping[str, Any]], columns: list[str]
) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        # Ids must stay copyable in one piece (for :restore ID), even on a narrow terminal.
        table.add_column(column, overflow="fold", no_wrap=column.endswith("_id"))
    count = 0
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c))) for c in columns))
        count += 1
    if count:
        console.print(table)
    else:
        console.print(f"{title}: none")


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return repr(value) if not isinstance(value, dict | list) else _short(value)


def _short(value: Any, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
