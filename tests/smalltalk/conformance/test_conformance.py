"""Runs every case of `cases/*.txt` against the engine (one parametrized test per case).

Each case is evaluated as a workspace doit in a fresh workspace of one image booted for the
module; the outcome is compared with what Pharo 12 answers (see README.md for the format).
The engine API used (see `stui_trio/smalltalk/__init__.py`): `Image.boot()`,
`image.new_workspace()`, `image.evaluate(workspace, source)` answering an `EvalOutcome` whose
`kind` is "success" (with `print_string`, `value`) or a failure kind ("syntax", "error", ...)
with `error_class` and `message_text`, and `image.display_string(value)`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.smalltalk.conformance import caseparser

CASES = caseparser.load_all_cases()


def _is_success(outcome: Any) -> bool:
    return outcome.kind == "success"


def _describe(outcome: Any) -> str:
    if _is_success(outcome):
        return f"value {outcome.print_string!r} (class {outcome.class_name})"
    return (
        f"{outcome.kind} failure: {getattr(outcome, 'error_class', None)} "
        f"{getattr(outcome, 'message_text', None)!r}"
    )


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 600
    assert len({case.case_id for case in CASES}) == len(CASES)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_case(image: Any, case: Any) -> None:
    workspace = image.new_workspace()
    outcome = image.evaluate(workspace, case.source)
    where = f"{case.case_id}\n{case.source}\n"
    if case.kind == caseparser.ERROR:
        expected = f"{where}expected {case.expected}, got {_describe(outcome)}"
        assert not _is_success(outcome), expected
        if case.expected == "SyntaxError":
            assert outcome.kind == "syntax", f"{where}got {_describe(outcome)}"
            return
        assert outcome.kind == "error", f"{where}expected {case.expected}, got {_describe(outcome)}"
        assert outcome.error_class == case.expected, f"{where}got {_describe(outcome)}"
        if case.message_text is not None:
            assert outcome.message_text == case.message_text, f"{where}got {_describe(outcome)}"
        return
    assert _is_success(outcome), f"{where}expected {case.expected!r}, got {_describe(outcome)}"
    if case.kind == caseparser.PRINT:
        assert outcome.print_string == case.expected, where
    else:
        assert image.display_string(outcome.value) == case.expected, where
