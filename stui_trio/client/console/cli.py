"""Command line of the console: parse arguments, connect, pick a session, run the loop."""

from __future__ import annotations

import argparse
import getpass
import re
import socket
from pathlib import Path

import attrs
from rich.console import Console

from stui_trio.client.console.reader import DEFAULT_HISTORY_FILE, InputReader
from stui_trio.client.console.repl import HELP_TEXT, Repl
from stui_trio.client.console.state import DEFAULT_STATE_FILE, SessionMemory
from stui_trio.client.errors import StuiError
from stui_trio.client.sync_client import Client
from stui_trio.client.wire import ClientOptions, SocketKind

SIDE_TIMEOUT = 0.5  # s: Tab completion must not freeze the prompt on a busy server
DEFAULT_EVAL_TIMEOUT = 65.0  # s: above the server's default 30 s evaluation limit


def default_client_id() -> str:
    """``user-host``, reduced to the characters a client_id may hold."""
    raw = f"{getpass.getuser()}-{socket.gethostname()}"
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", raw)[:64] or "console"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stui_trio.client",
        description="Interactive Smalltalk console for a stui_trio server.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Input and commands:\n\n" + HELP_TEXT,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5555",
                        help="server endpoint (default: %(default)s)")
    parser.add_argument("--client-id", default=None,
                        help="who you are to the server (default: user-host)")
    parser.add_argument("--session", default=None,
                        help="restore this session id instead of the remembered one")
    parser.add_argument("--new", action="store_true",
                        help="start a new session instead of restoring the last one")
    parser.add_argument("--state-file", type=Path, default=DEFAULT_STATE_FILE,
                        help="where the last session per client id is kept "
                             "(default: %(default)s)")
    parser.add_argument("--history-file", type=Path, default=DEFAULT_HISTORY_FILE,
                        help="readline history (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds to wait for each reply attempt (default: %(default)s)")
    parser.add_argument("--retries", type=int, default=2,
                        help="resends after a timeout, lazy-pirate style (default: %(default)s)")
    parser.add_argument("--eval-timeout", type=float, default=DEFAULT_EVAL_TIMEOUT,
                        help="seconds to wait for an evaluation's reply, never resent "
                             "(default: %(default)s; Ctrl-C interrupts sooner)")
    parser.add_argument("--dealer", action="store_true",
                        help="use a DEALER socket instead of REQ")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    options = ClientOptions(
        endpoint=args.endpoint,
        client_id=args.client_id or default_client_id(),
        kind=SocketKind.DEALER if args.dealer else SocketKind.REQ,
        timeout=args.timeout,
        retries=args.retries,
    )
    # The side connection answers Tab and interrupt quickly or not at all (never retried).
    side_options = attrs.evolve(options, timeout=min(args.timeout, SIDE_TIMEOUT), retries=0)
    # Evaluations may rightly take long: wait for them on their own connection, and never
    # resend one (a resent doit would run twice).
    eval_options = attrs.evolve(options, timeout=max(args.timeout, args.eval_timeout),
                                retries=0)
    with (Client(options=options) as client, Client(options=side_options) as side,
          Client(options=eval_options) as evaluator):
        reader = InputReader(args.history_file)
        repl = Repl(client=client, side=side, evaluator=evaluator, console=console,
                    memory=SessionMemory(args.state_file), reader=reader)
        console.print(f"stui_trio console: {options.endpoint} as {options.client_id} "
                      "(:help for help, :quit to leave)")
        try:
            if args.new:
                repl.new_session("")
            else:
                repl.start_session(args.session)
        except StuiError as exc:
            console.print("no session yet:", style="yellow", end=" ")
            console.print(f"{exc.error_type}: {exc.message}", markup=False)
        try:
            repl.run()
        except KeyboardInterrupt:
            reader.save_history()
            console.print()
    return 0
