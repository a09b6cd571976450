"""The read-eval-print loop, its session ``:commands``, and the command table.

Anything not starting with ``:`` is Smalltalk, evaluated in the current session (print-it
unless ``:mode`` says otherwise; see :mod:`.workspace`). A ``:command`` runs a session
operation (here) or a tool (:mod:`.workspace`, :mod:`.inspecting`, :mod:`.browsing`). Every
server error is shown (see :mod:`.render`) and the loop goes on; only ``:quit`` or end of
input ends it. Ctrl-C at the prompt drops the input being typed; during an evaluation it
interrupts the evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from rich.console import Console

from stui_trio.client.commands import NoSession
from stui_trio.client.console import render, render_tools
from stui_trio.client.console.browsing import Browser
from stui_trio.client.console.completer import DELIMITERS, Completer
from stui_trio.client.console.inspecting import Inspector
from stui_trio.client.console.reader import InputReader
from stui_trio.client.console.state import SessionMemory
from stui_trio.client.console.usage import UsageError
from stui_trio.client.console.workspace import Workspace
from stui_trio.client.errors import StuiError
from stui_trio.client.sync_client import Client


@attrs.define
class Repl:
    """One console run: the client, where output goes, and the session memory."""

    client: Client
    side: Client  # a second connection, short timeout: interrupt and Tab completion
    evaluator: Client  # a third, patient and never resending: evaluations
    console: Console
    memory: SessionMemory
    reader: InputReader
    workspace: Workspace = attrs.field(init=False)
    inspector: Inspector = attrs.field(init=False)
    browser: Browser = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.workspace = Workspace(client=self.client, side=self.side,
                                   evaluator=self.evaluator, console=self.console)
        self.inspector = Inspector(client=self.client, console=self.console)
        self.browser = Browser(client=self.client, console=self.console,
                               read_block=self.reader.read_block)

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

    def help(self, _arg: str) -> None:
        self.console.print(HELP_TEXT, markup=False)

    # -- the loop --------------------------------------------------------------------------
    def transcript(self, arg: str) -> None:
        result = self.client.get_transcript(since=int(arg) if arg.strip() else None)
        for entry in result.get("entries", []):
            self.console.print(str(entry.get("text", "")), end="", markup=False)
        missed = f", {result['missed']} missed" if result.get("missed") else ""
        self.console.print(f"[dim](next: {result.get('next')}{missed})[/dim]")

    def history(self, arg: str) -> None:
        result = self.client.get_history(limit=int(arg) if arg.strip() else None)
        render.show_rows(self.console, "history", result.get("entries", []),
                         ["seq", "code", "result", "result_type", "has_error"])

    def complete(self, arg: str) -> None:
        render_tools.show_completions(self.console, self.client.complete(arg))

    # -- the loop --------------------------------------------------------------------------
    def commands(self) -> dict[str, Callable[[str], None]]:
        w, i, b = self.workspace, self.inspector, self.browser
        return {
            "help": self.help, "sessions": self.sessions, "new": self.new_session,
            "restore": self.restore, "close": self.close, "info": self.info,
            "stats": self.stats, "ping": self.ping, "system": self.system,
            "print": w.print_it, "do": w.do_it, "display": w.display_it, "mode": w.set_mode,
            "interrupt": w.interrupt,
            "inspect": i.inspect, "field": i.field, "path": i.path, "back": i.back,
            "more": i.more, "page": i.page,
            "browse": b.browse, "method": b.method, "senders": b.senders,
            "implementors": b.implementors, "classes": b.classes, "define": b.define,
            "compile": b.compile,
            "complete": self.complete, "transcript": self.transcript, "history": self.history,
        }

    def completer(self) -> Completer:
        def ask(code: str, cursor: int) -> dict[str, Any]:
            sid = self.client.session_id
            if sid is None:
                raise ValueError("no session")
            return self.side.complete(code, cursor=cursor, session_id=sid)

        return Completer(ask=ask, command_names=[*self.commands(), "quit"])

    def run(self) -> None:
        table = self.commands()
        self.reader.install_completer(self.completer().readline_hook, DELIMITERS)
        while True:
            try:
                text = self.reader.read()
            except KeyboardInterrupt:
                self.console.print("\n(input dropped; :quit or Ctrl-D to leave)")
                continue
            if text is None:
                break
            stripped = text.strip()
            if not stripped:
                continue
            if stripped.startswith(":"):
                name, _, arg = stripped[1:].partition(" ")
                if name in ("quit", "q", "exit"):
                    break
                action = table.get(name)
                if action is None:
                    self.console.print(f"unknown command :{name} (try :help)", markup=False)
                    continue
                self._guarded(action, arg.strip())
            else:
                self._guarded(self.workspace.evaluate, text)
        self.reader.save_history()

    def _guarded(self, action: Callable[[str], Any], arg: str) -> None:
        try:
            action(arg)
        except StuiError as exc:
            render.show_error(self.console, exc)
        except NoSession:
            self.console.print("no current session: :new creates one, :restore ID picks one")
        except UsageError as exc:
            self.console.print(f"usage: {exc}", markup=False)
        except ValueError as exc:
            self.console.print(f"bad argument: {exc}", markup=False)


__all__ = ["HELP_TEXT", "Repl", "UsageError"]

HELP_TEXT = """\
Type Smalltalk and press Enter: it is evaluated in the current session and printed (print-it):
the result and its class, Transcript output it produced, and workspace variables it bound
(x := 3 + 4 keeps x for later lines). An input that is not complete yet (an open [ ( { or
'string' or "comment") continues on the next line; end a line with \\ to continue anyway; an
empty line then sends it as it is. Tab completes (from the server); Ctrl-C during an
evaluation interrupts it.

  :help                 this text
  :print|:do|:display EXPR   evaluate EXPR in that mode
  :mode [MODE]          show or set the mode for plain input (print, do, display)
  :interrupt            stop this session's running evaluation
  :inspect EXPR         evaluate EXPR and inspect the result (fields, elements)
  :field NAME|N         inspect a field (name), element or pair (1-based N) of the inspectee
  :path STEP ...        several steps at once;  :back  returns
  :more  /  :page N     the next / the Nth page of elements
  :browse Class         definition, comment, superclasses, methods by category
  :method Class>>sel    a method's source ('Class class>>sel' for the class side)
  :senders sel          methods sending sel;  :implementors sel  methods defining it
  :classes [PATTERN]    classes matching a glob, e.g. :classes Ord*
  :define [DEFINITION]  define or change a class (source on the next lines, ended by !)
  :compile Class [class] [CATEGORY]   compile a method (source on the next lines, ended by !)
  :complete TEXT        completions at the end of TEXT
  :transcript [SINCE]   the session's Transcript
  :history [LIMIT]      the session's evaluation history
  :ping [MESSAGE]       server liveness and version
  :new                  create a new session (it becomes current)
  :restore ID           restore a session of this client (it becomes current)
  :close                close the current session
  :sessions             this client's sessions (* marks the current one)
  :info                 the current session's metadata
  :stats                server statistics
  :system [INFO_TYPE]   image and server facts
  :quit                 leave (Ctrl-D too); the session lives on and is restored next time
"""
