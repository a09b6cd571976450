"""Property tests: no input makes the parser raise anything but SmalltalkSyntaxError, tokenize
never raises, and the scanner's fast path always agrees with its general path."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stui_trio.smalltalk.ast import Node
from stui_trio.smalltalk.parser import (
    SmalltalkSyntaxError,
    TokenKind,
    parse_doit,
    parse_expression,
    parse_method,
    tokenize,
)
from stui_trio.smalltalk.parser.scanner import Scanner

FRAGMENTS = [
    "x", "foo", "Bar", "at:", "put:", "foo:bar:", "self", "super", "nil", "true", "thisContext",
    "3", "-3", "16r1F", "2r", "1e10", "1e-2", "1.5", "1.5s2", "3s", "1r2", "36rZZ", "0.", "1e",
    "'str'", "'it''s'", "'", "$a", "$", "$'", "#foo", "#at:put:", "#+", "#'a b'", "##x", "#",
    "#(", "#[", "(", ")", "[", "]", "{", "}", ".", ";", "^", ":", ":=", "|", "||", "<", ">",
    "+", "-", "*", "/", "//", "\\\\", "->", "==>", "~=", ",", "@", "&", '"c"', '"', " ", "\n",
    "\u00e9", "\u00bf", "<primitive: 1>", "[:a | a]", "| t |", "-1", "x-1", "a:=b",
]

smalltalkish = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join) | st.lists(
    st.sampled_from(FRAGMENTS), max_size=40
).map("".join)
anything = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_all_ways(source: str) -> None:
    for parse in (parse_doit, parse_method, parse_expression):
        try:
            result = parse(source)
        except SmalltalkSyntaxError as error:
            assert 0 <= error.offset <= len(source)
            assert error.line >= 1 and error.column >= 1 and error.expected
        else:
            assert isinstance(result, Node)
            assert 0 <= result.start <= result.stop <= len(source)


def _check_tokens(source: str) -> None:
    tokens = tokenize(source)
    assert tokens[-1].kind is TokenKind.EOF
    previous_stop = 0
    for tok in tokens:
        assert previous_stop <= tok.start <= tok.stop <= len(source)
        assert source[tok.start : tok.stop] == tok.text
        previous_stop = tok.stop
    tokenize(source, comments=True)


def _paths_agree(source: str) -> None:
    fast = Scanner(source).scan_all()
    general = Scanner(source, keep_comments=True)
    slow = []
    while not slow or slow[-1].kind is not TokenKind.EOF:
        slow.append(general.next())
    assert fast == slow


@SETTINGS
@given(printable)
def test_printable_text_only_raises_syntax_errors(source: str) -> None:
    _parse_all_ways(source)
    _check_tokens(source)


@SETTINGS
@given(anything)
def test_any_text_only_raises_syntax_errors(source: str) -> None:
    _parse_all_ways(source)
    _check_tokens(source)
    _paths_agree(source)


@SETTINGS
@given(smalltalkish)
def test_smalltalkish_text_only_raises_syntax_errors(source: str) -> None:
    _parse_all_ways(source)
    _check_tokens(source)
    _paths_agree(source)
