"""The interactive console, ``python -m stui_trio.client``: a Smalltalk REPL over the wire.

- :mod:`.cli` — arguments, ``--help`` text, startup (connect, create or restore a session).
- :mod:`.reader` — multi-line input with readline history, and when an input is complete.
- :mod:`.state` — the small file remembering the last session per client id.
- :mod:`.repl` — the loop, the session ``:commands`` and the table of all commands.
- :mod:`.workspace` — evaluation (print/do/display), Ctrl-C and ``:interrupt``.
- :mod:`.inspecting` — ``:inspect`` and navigation (``:field``, ``:path``, ``:back``, paging).
- :mod:`.browsing` — ``:browse``, ``:method``, senders/implementors, ``:define``, ``:compile``.
- :mod:`.completer` — Tab completion in readline, backed by the server's ``complete``.
- :mod:`.render` — rich output of errors (stack, caret) and generic tables.
- :mod:`.render_tools` — rich output of results, inspectors, classes, highlighted source.
- :mod:`.usage` — the exception for a ``:command`` given wrong arguments.

``docs/console.md`` is the user's guide.
"""

from stui_trio.client.console.cli import main

__all__ = ["main"]
