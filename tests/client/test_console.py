"""The console as a person would run it, driven through a subprocess with piped stdin."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stui_trio.client.console.reader import is_complete

ROOT = Path(__file__).resolve().parents[2]


def run_console(
    endpoint: str, state: Path, client_id: str, stdin: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stui_trio.client", "--endpoint", endpoint,
         "--client-id", client_id, "--state-file", str(state),
         "--history-file", str(state.parent / "history"), "--timeout", "3"],
        input=stdin, capture_output=True, text=True, timeout=30, cwd=ROOT,
    )


def test_console_session_commands(endpoint: str, tmp_path: Path) -> None:
    state = tmp_path / "console.json"
    first = run_console(endpoint, state, "console-user", ":ping\n:new\n:sessions\n:quit\n")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "pong" in out and "ready" in out
    created = re.findall(r"new session (\S+)", out)
    assert len(created) == 2  # one at start-up (nothing to restore), one from :new
    listing = out.split("2 session(s) of client console-user")[1]
    assert all(sid in listing for sid in created)  # ids stay whole, copyable for :restore
    remembered = json.loads(state.read_text())["last_sessions"]["console-user"]
    assert remembered == created[-1]

    # The next run restores the remembered session instead of creating one.
    second = run_console(endpoint, state, "console-user", ":info\n:close\n")
    assert second.returncode == 0, second.stderr
    assert f"restored session {remembered}" in second.stdout
    assert f"closed session {remembered}" in second.stdout
    assert "console-user" not in json.loads(state.read_text())["last_sessions"]


def test_console_shows_error_replies_and_keeps_going(endpoint: str, tmp_path: Path) -> None:
    result = run_console(
        endpoint, tmp_path / "state.json", "console-errors",
        ":restore no-such-session\n:method Foo\n:nonsense\n:ping still-here\n",
    )
    assert result.returncode == 0, result.stderr
    assert "SessionNotFound" in result.stdout
    assert "usage: :method Class>>selector" in result.stdout
    assert "unknown command :nonsense" in result.stdout
    assert "still-here" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_console_help_documents_multiline_input() -> None:
    result = subprocess.run([sys.executable, "-m", "stui_trio.client", "--help"],
                            capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 0
    assert "continues on the" in result.stdout and ":restore ID" in result.stdout


@pytest.mark.parametrize(
    ("source", "complete"),
    [
        ("3 + 4", True),
        ("#(1 2 3) collect: [:x |", False),
        ("#(1 2 3) collect: [:x | x * 2]", True),
        ("'it''s open", False),
        ("'it''s closed'", True),
        ('"a comment', False),
        ("$[ printString", True),
        ("{1. 2", False),
        ("Transcript show: 'a';\n cr", True),
    ],
)
def test_when_an_input_is_complete(source: str, complete: bool) -> None:
    assert is_complete(source) is complete


def test_console_without_a_server_says_so(free_endpoint: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stui_trio.client", "--endpoint", free_endpoint,
         "--client-id", "lonely", "--state-file", str(tmp_path / "s.json"),
         "--history-file", str(tmp_path / "h"), "--timeout", "0.2", "--retries", "0"],
        input=":ping\n:quit\n", capture_output=True, text=True, timeout=30, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "no session yet" in result.stdout
    assert result.stdout.count("ClientTimeout") == 2  # the start-up session, then :ping
