"""The interactive console, ``python -m stui_trio.client``: a Smalltalk REPL over the wire.

- :mod:`.cli` — arguments, ``--help`` text, startup (connect, create or restore a session).
- :mod:`.reader` — multi-line input with readline history, and when an input is complete.
- :mod:`.state` — the small file remembering the last session per client id.
- :mod:`.repl` — the loop: Smalltalk is printed-it, ``:commands`` run session operations.
- :mod:`.render` — rich output of results and errors.
"""

from stui_trio.client.console.cli import main

__all__ = ["main"]
