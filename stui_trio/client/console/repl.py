"""The read-eval-print loop and its ``:commands``.

Anything not starting with ``:`` is Smalltalk, evaluated in the current session with
print-it. A ``:command`` runs a session or tool operation. Every server error is shown (see
:mod:`.render`) and the loop goes on; only ``:quit`` or end of input ends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from rich.console import Console

from stui_trio.client.commands import NoSession
from stui_trio.client.console import render
from stui_trio.client.console.reader import InputReader
from stui_trio.client.console.state import SessionMemory
from stui_trio.client.errors import StuiError
from stui_trio.client.sync_client import Client


@attrs.define
class Repl:
    """One console run: the client, where output goes, and the session memory."""

    client: Client
    console: Console
    memory: SessionMemory

    # -- sessions --------------------------------------------------------------------------
    def start_session(self, wanted: str | None) -> None:
        """Restore ``wanted`` (or the remembered session), else create a new one."""
        sid = wanted or self.memory.last_session(self.client.client_id)
        if sid:
            try:
                self.client.restore_session(sid)
                self.console.print(f"restored session {sid}")
                self.memory.remember(self.client.client_id, sid)
                return
            except StuiError as exc:
                self.console.print(f"could not restore session {sid}: {exc.error_type}")
        self.new_session("")

    def new_session(self, _arg: str) -> None:
        result = self.client.create_session(
            {"platform": "python-console", "version": "stui_trio", "capabilities": ["evaluate"]}
        )
        self.console.print(f"new session {result['session_id']}")
        self.memory.remember(self.client.client_id, result["session_id"])

    def restore(self, arg: str) -> None:
        if not arg:
            raise UsageError(":restore SESSION_ID")
        self.client.restore_session(arg)
        self.console.print(f"restored session {arg}")
        self.memory.remember(self.client.client_id, arg)

    def close(self, _arg: str) -> None:
        result = self.client.close_session()
        self.console.print(f"closed session {result.get('session_id', '')}")
        self.memory.remember(self.client.client_id, None)

    def sessions(self, _arg: str) -> None:
        result = self.client.list_client_sessions()
        rows = [
            {**s, "current": "*" if s.get("session_id") == self.client.session_id else ""}
            for s in result.get("sessions", [])
            if isinstance(s, dict)
        ]
        self.console.print(f"{result.get('session_count', len(rows))} session(s) "
                           f"of client {result.get('client_id', self.client.client_id)}")
        render.show_rows(self.console, "sessions", rows,
                         ["current", "session_id", "created_at", "expires_at", "is_active"])

    # -- plain result commands -------------------------------------------------------------
    def ping(self, arg: str) -> None:
        render.show_mapping(self.console, "ping", self.client.ping(arg or None))

    def info(self, _arg: str) -> None:
        render.show_mapping(self.console, "session", self.client.get_session_info())

    def stats(self, _arg: str) -> None:
        render.show_mapping(self.console, "statistics", self.client.get_session_statistics())

    def system(self, arg: str) -> None:
        render.show_mapping(self.console, "system", self.client.system_info(arg or None))

    # -- tools -----------------------------------------------------------------------------
    def evaluate(self, code: str) -> None:
        render.show_evaluation(self.console, self.client.evaluate(code, mode="print"))

    def inspect(self, arg: str) -> None:
        if not arg:
            raise UsageError(":inspect EXPRESSION")
        result = self.client.inspect(code=arg)
        self.console.print(f"{result.get('print_string', '')}  ({result.get('class_name', '')})")
        render.show_rows(self.console, "fields", result.get("fields", []),
                         ["name", "print_string", "class"])
        indexed = result.get("indexed") or {}
        if indexed.get("items"):
            self.console.print(f"indexed: {indexed.get('total')} item(s)")
            for n, item in enumerate(indexed["items"], start=indexed.get("offset", 0) + 1):
                shown = item.get("print_string", item) if isinstance(item, dict) else item
                self.console.print(f"  {n}: {shown}")

    def browse(self, arg: str) -> None:
        if not arg:
            raise UsageError(":browse ClassName")
        result = self.client.browse_class(arg.strip(), include_methods=True)
        info = result.get("class_info", {})
        self.console.print(info.get("definition") or info.get("name", arg))
        if info.get("comment"):
            self.console.print(f'"{info["comment"]}"', style="dim")
        for side in ("instance_methods", "class_methods"):
            names = [m.get("name", m) if isinstance(m, dict) else m for m in result.get(side, [])]
            self.console.print(f"{side.replace('_', ' ')}: {' '.join(map(str, names)) or '-'}")

    def method(self, arg: str) -> None:
        class_name, sep, selector = arg.strip().partition(">>")
        if not sep or not class_name or not selector:
            raise UsageError(":method Class>>selector   (or 'Class class>>selector')")
        is_meta = class_name.endswith(" class")
        result = self.client.get_method(
            class_name.removesuffix(" class").strip(), selector.strip(), is_class_method=is_meta
        )
        method = result.get("method", {})
        self.console.print(f"{method.get('defined_in', class_name)}>>{method.get('name', '')}"
                           f"  [{method.get('category', '')}]", style="dim")
        self.console.print(method.get("source", ""))

    def classes(self, arg: str) -> None:
        result = self.client.list_classes(pattern=arg or None)
        render.show_rows(self.console, f"classes ({result.get('total_count', '?')})",
                         result.get("classes", []), ["name", "superclass", "package"])

    def complete(self, arg: str) -> None:
        result = self.client.complete(arg)
        for item in result.get("completions", []):
            self.console.print(f"{item.get('text', '')}  [dim]{item.get('kind', '')}[/dim]")

    def transcript(self, arg: str) -> None:
        result = self.client.get_transcript(since=int(arg) if arg.strip() else None)
        for entry in result.get("entries", []):
            self.console.print(str(entry.get("text", "")), end="")
        self.console.print(f"[dim](next: {result.get('next')})[/dim]")

    def history(self, arg: str) -> None:
        result = self.client.get_history(limit=int(arg) if arg.strip() else None)
        render.show_rows(self.console, "history", result.get("entries", []),
                         ["seq", "code", "result", "result_type", "has_error"])

    def help(self, _arg: str) -> None:
        self.console.print(HELP_TEXT, markup=False)

    # -- the loop --------------------------------------------------------------------------
    def commands(self) -> dict[str, Callable[[str], None]]:
        return {
            "help": self.help, "sessions": self.sessions, "new": self.new_session,
            "restore": self.restore, "close": self.close, "info": self.info,
            "stats": self.stats, "ping": self.ping, "system": self.system,
            "inspect": self.inspect, "browse": self.browse, "method": self.method,
            "classes": self.classes, "complete": self.complete,
            "transcript": self.transcript, "history": self.history,
        }

    def run(self, reader: InputReader) -> None:
        table = self.commands()
        while (text := reader.read()) is not None:
            stripped = text.strip()
            if not stripped:
                continue
            if stripped.startswith(":"):
                name, _, arg = stripped[1:].partition(" ")
                if name in ("quit", "q", "exit"):
                    break
                action = table.get(name)
                if action is None:
                    self.console.print(f"unknown command :{name} (try :help)")
                    continue
                self._guarded(action, arg.strip())
            else:
                self._guarded(self.evaluate, text)
        reader.save_history()

    def _guarded(self, action: Callable[[str], Any], arg: str) -> None:
        try:
            action(arg)
        except StuiError as exc:
            render.show_error(self.console, exc)
        except NoSession:
            self.console.print("no current session: :new creates one, :restore ID picks one")
        except UsageError as exc:
            self.console.print(f"usage: {exc}")
        except ValueError as exc:
            self.console.print(f"bad argument: {exc}")


class UsageError(Exception):
    """A :command was given the wrong arguments; the message is its usage line."""


HELP_TEXT = """\
Type Smalltalk and press Enter: it is evaluated in the current session and printed (print-it).
An input that is not complete yet (an open [ ( { or 'string' or "comment") continues on the
next line; end a line with \\ to continue anyway; an empty line then sends it as it is.

  :help                 this text
  :ping [MESSAGE]       server liveness and version
  :new                  create a new session (it becomes current)
  :restore ID           restore a session of this client (it becomes current)
  :close                close the current session
  :sessions             this client's sessions (* marks the current one)
  :info                 the current session's metadata
  :stats                server statistics
  :system [INFO_TYPE]   image and server facts
  :inspect EXPR         evaluate EXPR and inspect the result
  :browse Class         class definition, comment and methods
  :method Class>>sel    a method's source ('Class class>>sel' for the class side)
  :classes [PATTERN]    classes matching a glob, e.g. :classes Ord*
  :complete TEXT        completions at the end of TEXT
  :transcript [SINCE]   the session's Transcript
  :history [LIMIT]      the session's evaluation history
  :quit                 leave (Ctrl-D too); the session lives on and is restored next time
"""
