"""Run a stui_trio server with the tool commands installed (a subprocess for the wire tests).

Builds the server exactly as `python -m stui_trio` does (same config sources, same ready line
on stdout) plus `install_tools` on its registry - the one call the server's start-up makes once
the tools are wired in. If the server already registers them, it is used as is.

    python tests/tools/tools_server.py --endpoint tcp://127.0.0.1:* --sessions-dir DIR
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import trio

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from stui_trio.config import build_config
from stui_trio.server.supervisor import Server, default_registry
from stui_trio.tools.commands import install_tools


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:*")
    parser.add_argument("--sessions-dir", required=True)
    args = parser.parse_args()
    config = build_config(
        config_file=None, env=os.environ,
        overrides={"endpoints": args.endpoint, "sessions_dir": args.sessions_dir},
    )
    registry = default_registry(config)
    if "evaluate" not in registry:
        install_tools(registry, config)
    server = Server(config, registry=registry)

    def ready(endpoints: list[str]) -> None:
        print(f"stui_trio listening on {' '.join(endpoints)}", flush=True)

    trio.run(lambda: server.serve(handle_signals=True, on_ready=ready))


if __name__ == "__main__":
    main()
