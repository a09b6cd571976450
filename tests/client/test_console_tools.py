"""The console as a Smalltalk workspace against a real server: print-it, inspect, browse,
methods, errors, completion, define/compile, and Ctrl-C interrupting an evaluation.

Each test runs ``python -m stui_trio.client`` as a subprocess with piped stdin (so rich prints
plain text) against the module's real server subprocess (``server`` in ``conftest.py``).
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from stui_trio.client.console.completer import DELIMITERS, Completer
from stui_trio.client.sync_client import Client

ROOT = Path(__file__).resolve().parents[2]


def console_args(endpoint: str, tmp: Path, client_id: str) -> list[str]:
    return [sys.executable, "-m", "stui_trio.client", "--endpoint", endpoint,
            "--client-id", client_id, "--state-file", str(tmp / "state.json"),
            "--history-file", str(tmp / "history"), "--timeout", "5", "--new"]


def run(endpoint: str, tmp: Path, client_id: str, *lines: str) -> str:
    done = subprocess.run(console_args(endpoint, tmp, client_id),
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=30, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done.stdout


def test_print_it_modes_and_workspace_variables(endpoint: str, tmp_path: Path) -> None:
    out = run(endpoint, tmp_path, "ws-print",
              "3 + 4",
              "x := 6 * 7",
              "x + 1",
              "Transcript show: 'hello from the image'; cr. x",
              ":do x + 100",
              ":display 'abc' , 'def'",
              ":print 'abc' , 'def'",
              ":mode do", "x", ":mode print", "x")
    assert re.search(r"^7  \(SmallInteger\)$", out, re.M)
    assert "42  (SmallInteger)  [bound: x]" in out
    assert re.search(r"^43  \(SmallInteger\)$", out, re.M)
    assert "hello from the image" in out
    assert "abcdef  (ByteString)" in out  # display-it: no quotes
    assert "'abcdef'  (ByteString)" in out  # print-it: quoted
    assert out.count("\nok\n") == 2  # :do and plain input in do mode show no result
    assert "evaluation mode: do" in out and out.rstrip().endswith("42  (SmallInteger)")


def test_inspect_navigate_and_page(endpoint: str, tmp_path: Path) -> None:
    out = run(endpoint, tmp_path, "ws-inspect",
              ":inspect 3 -> 4",
              ":field key",
              ":back",
              ":inspect (1 to: 45) asArray",
              ":more",
              ":page 3",
              ":inspect Dictionary new at: #k put: 'v'; yourself",
              ":path k")
    association = out.split("inspecting 3->4")[1]
    assert re.search(r"key\s+│\s+3\s+│\s+SmallInteger", association)
    assert re.search(r"value\s+│\s+4\s+│\s+SmallInteger", association)
    assert "inspecting 3  (SmallInteger)" in out and "via key" in out
    assert out.count("inspecting 3->4") == 2  # :back shows the association again
    assert "items 1-20 of 45" in out and "items 21-40 of 45" in out
    assert "items 41-45 of 45" in out
    assert re.search(r"#k\s+│\s+'v'\s+│\s+ByteString", out)  # a dictionary's pairs
    assert "inspecting 'v'  (ByteString)" in out


def test_browse_method_senders_implementors(endpoint: str, tmp_path: Path) -> None:
    out = run(endpoint, tmp_path, "ws-browse",
              ":browse Object",
              ":method Object>>printString",
              ":method Association class>>key:value:",
              ":senders storeString",
              ":implementors isSelfEvaluating",
              ":classes Ord*",
              ":method NoSuchClass>>foo")
    assert "ProtoObject subclass: #Object" in out
    assert "instance side" in out and "printing" in out
    assert "Object>>printString  [printing]" in out
    assert "self printOn: stream" in out  # the source itself
    assert "Association class>>key:value:" in out
    assert "senders of #storeString" in out and "Association>>storeString" in out
    assert "implementors of #isSelfEvaluating" in out and "Object>>isSelfEvaluating" in out
    assert "OrderedCollection" in out
    assert "ClassNotFound" in out


def test_errors_show_caret_and_stack(endpoint: str, tmp_path: Path) -> None:
    out = run(endpoint, tmp_path, "ws-errors",
              "1 + 2.\\",
              "  3 + + 4",
              "",
              "nil foo",
              "1/0",
              "'still alive' size")
    assert "SyntaxError" in out and "at line 2, column 7" in out
    caret = re.search(r"^\s+2 \|   3 \+ \+ 4\n\s+\|(\s*)\^$", out, re.M)
    assert caret and len(caret.group(1)) == 7  # under column 7 (one space after the bar)
    assert "MessageNotUnderstood" in out and "UndefinedObject>>DoIt (line 1)" in out
    assert "ZeroDivide" in out and re.search(r"\w+>>/ \(line \d+\)", out)
    assert "11  (SmallInteger)" in out


def test_complete_command(endpoint: str, tmp_path: Path) -> None:
    out = run(endpoint, tmp_path, "ws-complete", ":complete 'abc' asUpp")
    assert re.search(r"^asUppercase\s+selector$", out, re.M)


def test_define_and_compile_multiline(endpoint: str, tmp_path: Path) -> None:
    out = run(endpoint, tmp_path, "ws-define",
              ":define",
              "Object subclass: #ConsolePoint",
              "    instanceVariableNames: 'x'",
              "    classVariableNames: ''",
              "    package: 'ConsoleTests'",
              "!",
              ":compile ConsolePoint accessing",
              "x",
              "",
              "    ^ x ifNil: [17]",
              "!",
              ":compile ConsolePoint",
              "broken ^ x +",
              "!",
              "ConsolePoint new x",
              ":method ConsolePoint>>x")
    assert "class ConsolePoint created" in out
    assert "compiled ConsolePoint>>x  [accessing]" in out
    assert "SyntaxError" in out and "broken ^ x +" in out
    assert "17  (SmallInteger)" in out
    assert "^ x ifNil: [17]" in out


def test_ctrl_c_interrupts_the_evaluation_not_the_console(
    endpoint: str, tmp_path: Path
) -> None:
    proc = subprocess.Popen(
        console_args(endpoint, tmp_path, "ws-ctrl-c"), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        while "new session" not in (line := proc.stdout.readline()):
            assert line, "console ended before it had a session"
        proc.stdin.write("[true] whileTrue\n")
        proc.stdin.flush()
        time.sleep(1.0)  # the evaluation is running on the server now
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate("3 + 4\n:quit\n", timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, err
    assert "Interrupted: the evaluation was stopped" in out
    assert "7  (SmallInteger)" in out  # the session is still usable
    assert time.monotonic() - started < 5  # not the 30 s evaluation timeout


def test_completer_for_readline(endpoint: str, free_endpoint: str) -> None:
    with Client(endpoint, client_id="ws-tab", timeout=2) as client:
        client.create_session()
        client.evaluate("myCounter := 3")

        def ask(code: str, cursor: int) -> dict:
            return client.complete(code, cursor=cursor)

        completer = Completer(ask=ask, command_names=["browse", "method", "inspect"])
        line = "'abc' asUpp"
        begin = max(line.rfind(d) for d in DELIMITERS) + 1
        assert "asUppercase" in completer.candidates(line, begin, len(line))
        assert "myCounter" in completer.candidates("myCo", 0, 4)
        assert completer.candidates(":br", 0, 3) == [":browse "]
        assert "OrderedCollection" in completer.candidates(":browse Ordered", 8, 15)

    # No server answering: no candidates, quickly (Tab must never hang the prompt).
    with Client(free_endpoint, client_id="ws-tab", timeout=0.2, retries=0) as lonely:
        lonely.session_id = "whatever"
        quiet = Completer(ask=lambda c, n: lonely.complete(c, cursor=n), command_names=[])
        started = time.monotonic()
        assert quiet.candidates("3 fact", 2, 6) == []
        assert time.monotonic() - started < 1.5


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while wanted not in seen and (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.2))
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the console ended and the terminal closed
                break
    return wanted in seen


def test_tab_completes_in_a_terminal(endpoint: str, tmp_path: Path) -> None:
    """Through a real pseudo-terminal: readline, the completer and the server together."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(console_args(endpoint, tmp_path, "ws-tty"), stdin=slave,
                            stdout=slave, stderr=slave, cwd=ROOT, close_fds=True)
    os.close(slave)
    seen = bytearray()
    try:
        assert _read_until(master, b"st> ", seen), seen.decode(errors="replace")
        os.write(master, b"'abc' asUpp\t")
        assert _read_until(master, b"asUppercase", seen), seen.decode(errors="replace")
        os.write(master, b"\r")
        assert _read_until(master, b"'ABC'", seen), seen.decode(errors="replace")
        os.write(master, b":brow\tAssociat\t\r")
        assert _read_until(master, b"#Association", seen), seen.decode(errors="replace")
        os.write(master, b":quit\r")
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        os.close(master)
