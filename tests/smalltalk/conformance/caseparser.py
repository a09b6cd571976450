"""Reader for the Smalltalk conformance case files (`cases/*.txt`).

The case files are the corpus that pins the engine to Pharo 12's observable behaviour: each case
is a workspace doit and the printString (or displayString, or unhandled error class) that Pharo
answers for it. This module only turns the text into `Case` values; `test_conformance.py` runs
them against the engine. The format is described in `README.md` next to this file:

- blank lines and lines whose first non-blank characters are `--` are ignored between cases;
- a case is one or more source lines, the last of which contains a marker surrounded by
  whitespace: `==>` (printString), `=d=>` (displayString) or `!!>` (unhandled error);
- lines without a marker are source lines of a case that continues on the next line; a blank or
  comment line inside such a case is an error (it almost always means a forgotten marker).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import attrs

PRINT = "print"
DISPLAY = "display"
ERROR = "error"

_MARKERS = {"==>": PRINT, "=d=>": DISPLAY, "!!>": ERROR}
# The first marker surrounded by whitespace splits source from expectation.
_MARKER_RE = re.compile(r"\s(==>|=d=>|!!>)(?:\s|$)")
_ERROR_RE = re.compile(r"^([A-Z][A-Za-z0-9_]*)(?::\s?(.*))?$")


class CaseFormatError(ValueError):
    """A case file line that does not follow the format; carries file and line."""


@attrs.frozen
class Case:
    """One conformance case: evaluate `source`, expect `expected` under `kind`.

    For kind PRINT/DISPLAY `expected` is the exact printString/displayString. For kind ERROR it
    is the Smalltalk class name of the unhandled error (`SyntaxError` stands for a syntax
    error outcome) and `message_text`, when given, the exact messageText.
    """

    file: str
    line: int
    source: str
    kind: str
    expected: str
    message_text: str | None = None

    @property
    def case_id(self) -> str:
        return f"{self.file}:{self.line}"


def parse_cases(text: str, file: str) -> list[Case]:
    """Parse the text of one case file; `file` is the name used in ids and errors."""
    cases: list[Case] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            if pending:
                raise CaseFormatError(
                    f"{file}:{number}: blank or comment line inside the case started at "
                    f"line {start} (missing marker?)"
                )
            continue
        if not pending:
            start = number
        match = _MARKER_RE.search(line)
        if match is None:
            pending.append(line)
            continue
        pending.append(line[: match.start()].rstrip())
        source = "\n".join(pending).strip()
        expected = line[match.end() :].strip()
        pending = []
        cases.append(_make_case(file, start, number, source, _MARKERS[match.group(1)], expected))
    if pending:
        raise CaseFormatError(f"{file}:{start}: case has no marker before end of file")
    return cases


def _make_case(file: str, start: int, number: int, source: str, kind: str, expected: str) -> Case:
    if not source:
        raise CaseFormatError(f"{file}:{number}: empty source")
    if not expected:
        raise CaseFormatError(f"{file}:{number}: empty expectation")
    if kind != ERROR:
        return Case(file, start, source, kind, expected)
    match = _ERROR_RE.match(expected)
    if match is None:
        raise CaseFormatError(
            f"{file}:{number}: error expectation must be `Class` or `Class: text`"
        )
    return Case(file, start, source, kind, match.group(1), match.group(2))


def load_case_files(paths: Iterable[Path]) -> list[Case]:
    """Parse every given file (ids use the bare file name)."""
    cases: list[Case] = []
    for path in sorted(paths):
        cases.extend(parse_cases(path.read_text(encoding="utf-8"), path.name))
    return cases


def case_directory() -> Path:
    return Path(__file__).with_name("cases")


def load_all_cases() -> list[Case]:
    return load_case_files(case_directory().glob("*.txt"))
