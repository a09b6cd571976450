"""The workspace part of the console: evaluating Smalltalk (print-it, do-it, display-it).

Plain input is evaluated in the current mode (``print`` unless ``:mode`` changed it);
``:print``, ``:do`` and ``:display`` evaluate one input in that mode. Workspace variables
(``x := 3 + 4``) persist in the session; the result line notes the ones an input bound.

Evaluations go over their own connection (the *evaluator*: a long timeout, no resends, since
a resent doit would run twice); the session is the main client's current one. Ctrl-C while
waiting for an evaluation does not quit: the wait is abandoned (the sync client reopens its
socket), and ``interrupt`` goes out on the *side* client, a connection with a short timeout,
so the server stops the running evaluation. ``:interrupt`` sends it
by hand (for an evaluation of this session running from another console).
"""

from __future__ import annotations

import attrs
from rich.console import Console
from rich.text import Text

from stui_trio.client.console import render, render_tools
from stui_trio.client.console.usage import UsageError
from stui_trio.client.errors import StuiError
from stui_trio.client.sync_client import Client

MODES = ("print", "do", "display")


@attrs.define
class Workspace:
    client: Client
    side: Client  # short timeout: interrupt and completion must never hang the prompt
    evaluator: Client  # long timeout, no resends: a doit may run long and must run once
    console: Console
    mode: str = "print"

    def evaluate(self, code: str, mode: str | None = None) -> None:
        try:
            result = self.evaluator.evaluate(code, mode=mode or self.mode,
                                             session_id=self.client.session_id)
        except KeyboardInterrupt:
            self.console.print()
            self.interrupt("")
            return
        except StuiError as exc:
            render.show_error(self.console, exc, source=code)
            return
        render_tools.show_evaluation(self.console, result)

    def print_it(self, arg: str) -> None:
        self._one(arg, "print")

    def do_it(self, arg: str) -> None:
        self._one(arg, "do")

    def display_it(self, arg: str) -> None:
        self._one(arg, "display")

    def _one(self, code: str, mode: str) -> None:
        if not code:
            raise UsageError(f":{mode} EXPRESSION")
        self.evaluate(code, mode)

    def set_mode(self, arg: str) -> None:
        if arg and arg not in MODES:
            raise UsageError(":mode [print|do|display]")
        if arg:
            self.mode = arg
        self.console.print(f"evaluation mode: {self.mode}")

    def interrupt(self, _arg: str) -> None:
        sid = self.client.session_id
        if sid is None:
            self.console.print("no current session: nothing to interrupt")
            return
        try:
            reply = self.side.interrupt(session_id=sid)
        except StuiError as exc:
            self.console.print(Text(f"could not interrupt: {exc.error_type}: {exc.message}",
                                    style="red"))
            return
        if reply.get("was_running"):
            self.console.print(Text("Interrupted: the evaluation was stopped", style="yellow"))
        else:
            self.console.print("nothing was running in this session")
