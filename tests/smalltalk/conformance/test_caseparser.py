"""Self-test of the case-file reader (`caseparser.py`), pure Python: no engine needed.

Checks the format documented in README.md (markers, continuation lines, comments, error
expectations, ids) and that every shipped case file parses with unique ids.
"""

from __future__ import annotations

import pytest

from tests.smalltalk.conformance import caseparser as cp


def test_single_line_print_case() -> None:
    [case] = cp.parse_cases("3 + 4  ==>  7\n", "f.txt")
    assert (case.source, case.kind, case.expected) == ("3 + 4", cp.PRINT, "7")
    assert case.message_text is None
    assert case.case_id == "f.txt:1"


def test_expected_keeps_inner_spaces_and_quotes() -> None:
    text = (
        "Dictionary new at: #a put: 1; yourself  ==>  a Dictionary(#a->1 )\n"
        "'it''s'  ==>  'it''s'\n"
    )
    first, second = cp.parse_cases(text, "f.txt")
    assert first.expected == "a Dictionary(#a->1 )"
    assert (second.source, second.expected) == ("'it''s'", "'it''s'")


def test_display_marker() -> None:
    [case] = cp.parse_cases("#foo  =d=>  foo", "f.txt")
    assert (case.kind, case.expected) == (cp.DISPLAY, "foo")


def test_error_marker_with_and_without_message() -> None:
    text = "1/0  !!>  ZeroDivide\nnil foo  !!>  MessageNotUnderstood: receiver of \"foo\" is nil\n"
    plain, with_text = cp.parse_cases(text, "f.txt")
    assert (plain.kind, plain.expected, plain.message_text) == (cp.ERROR, "ZeroDivide", None)
    assert with_text.expected == "MessageNotUnderstood"
    assert with_text.message_text == 'receiver of "foo" is nil'


def test_error_message_may_contain_colons_and_markers_only_split_once() -> None:
    [case] = cp.parse_cases("x  !!>  Error: a: b ==> c", "f.txt")
    assert (case.expected, case.message_text) == ("Error", "a: b ==> c")


def test_continuation_lines_join_with_newlines() -> None:
    text = "-- comment\n\n| a |\na := 3.\na + 4  ==>  7\n\n5  ==>  5\n"
    first, second = cp.parse_cases(text, "f.txt")
    assert first.source == "| a |\na := 3.\na + 4"
    assert first.line == 3
    assert second.line == 7


def test_indented_continuation_lines_are_kept() -> None:
    text = "c compile: 'foo\n\t^ 1'.\nc  ==>  C\n"
    [case] = cp.parse_cases(text, "f.txt")
    assert case.source == "c compile: 'foo\n\t^ 1'.\nc"


def test_marker_needs_surrounding_whitespace() -> None:
    [case] = cp.parse_cases("#(1 2)==>x  ==>  3", "f.txt")
    assert (case.source, case.expected) == ("#(1 2)==>x", "3")


@pytest.mark.parametrize(
    "text",
    [
        "| a |\n\na  ==>  nil\n",  # blank line inside a case
        "| a |\n-- note\na  ==>  nil\n",  # comment inside a case
        "3 + 4\n",  # no marker before end of file
        "3 + 4  ==>  \n",  # empty expectation
        "1/0  !!>  zeroDivide\n",  # error class must be a class name
    ],
)
def test_malformed_files_are_rejected_with_location(text: str) -> None:
    with pytest.raises(cp.CaseFormatError, match=r"f\.txt:\d+"):
        cp.parse_cases(text, "f.txt")


def test_shipped_corpus_parses_with_unique_ids() -> None:
    cases = cp.load_all_cases()
    ids = [case.case_id for case in cases]
    assert len(ids) == len(set(ids))
    assert len(cases) >= 600
    files = {case.file for case in cases}
    assert len(files) >= 15
    for case in cases:
        if case.kind == cp.ERROR:
            assert case.expected[0].isupper(), case.case_id
