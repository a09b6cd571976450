"""Syntax errors: where (line, column, offset) and what was expected.

Positions point where the fix goes: at the offending token, or at the end of the input when
something is missing (an unterminated string reports the end, where the quote is missing).
"""

from __future__ import annotations

import contextlib
import pickle

import pytest

from stui_trio.smalltalk.parser import (
    MAX_DEPTH,
    SmalltalkSyntaxError,
    parse_doit,
    parse_expression,
    parse_method,
)

# (source, line, column, expected, a fragment of the message)
DOIT_ERRORS = [
    ("3 +", 1, 4, "expression", "after '+', found end of input"),
    ("[1", 1, 3, "']'", "to close the block opened at line 1, column 1"),
    ("(1", 1, 3, "')'", "to close the parenthesis opened at line 1, column 1"),
    ("#(1", 1, 4, "')'", "to close the literal array opened at line 1, column 1"),
    ("#(1 #(2)", 1, 9, "')'", "literal array opened at line 1, column 1"),
    ("#[1", 1, 4, "']'", "to close the byte array"),
    ("{1. 2", 1, 6, "'}'", "to close the brace array"),
    ("'abc", 1, 5, "\"'\" closing the string", "unterminated string"),
    ("x := 'abc\ndef", 2, 4, "\"'\" closing the string", "started at line 1, column 6"),
    ("#'abc", 1, 6, "\"'\" closing the symbol", "unterminated symbol"),
    ('"abc', 1, 5, "'\"' closing the comment", "unterminated comment"),
    ("$", 1, 2, "a character after '$'", "found end of input"),
    ("x :=", 1, 5, "expression", "after ':='"),
    ("a foo: ", 1, 8, "expression", "after 'foo:'"),
    ("a foo: 1 bar:", 1, 14, "expression", "after 'bar:'"),
    ("16r", 1, 4, "a digit between 0 and F", "after the radix 16r"),
    ("2r", 1, 3, "a digit between 0 and 1", "radix 2r"),
    ("16rG", 1, 4, "a digit between 0 and F", "radix 16r"),
    ("1r0", 1, 2, "a radix of at least 2", "radix 1 is too small"),
    ("0r1", 1, 2, "a radix of at least 2", "radix 0"),
    ("1e10001", 1, 8, "an exponent of at most 10000", "exponent is larger than 10000"),
    ("1" * 100_001, 1, 100_001, "a number of at most 100000 digits", "more than 100000 digits"),
    ("37r" + "Z" * 100_001, 1, 100_004, "a number of at most 100000 digits", "100000 digits"),
    ("1 ]", 1, 3, "period or end of input", "']' with no matching '['"),
    ("1 )", 1, 3, "period or end of input", "')' with no matching '('"),
    ("]", 1, 1, "expression", "found ']'"),
    ("[1 )]", 1, 4, "period or ']'", "no matching '('"),
    ("{1 ]}", 1, 4, "period or '}'", "no matching '['"),
    ("3 4", 1, 3, "period or end of input", "found number 4"),
    ("a b c 'x'", 1, 7, "period or end of input", "found string 'x'"),
    ("x foo\ny := 3", 2, 3, "period or end of input", "is a period missing"),
    ("a foo; bar baz", 1, 12, "period or end of input", "identifier 'baz'"),
    ("(a foo); bar", 1, 8, "a message before ';'", "parenthesized"),
    ("3; bar", 1, 2, "a message before ';'", "cascade needs a message"),
    ("x foo; ", 1, 8, "a message after ';'", "found end of input"),
    ("x foo;; bar", 1, 7, "a message after ';'", "found ';'"),
    ("x foo; 3", 1, 8, "a message after ';'", "found number 3"),
    ("self := 3", 1, 1, "an assignable variable", "cannot assign to 'self'"),
    ("nil := 3", 1, 1, "an assignable variable", "cannot assign to 'nil'"),
    ("thisContext := 3", 1, 1, "an assignable variable", "'thisContext'"),
    (":= 3", 1, 1, "a variable name before ':='", "found ':='"),
    ("x := := 3", 1, 6, "a variable name before ':='", ""),
    ("#[1 256]", 1, 5, "an integer between 0 and 255", "found number 256"),
    ("#[1 -1]", 1, 5, "an integer between 0 and 255", "number -1"),
    ("#[1.5]", 1, 3, "an integer between 0 and 255", "number 1.5"),
    ("#[foo]", 1, 3, "an integer between 0 and 255", "identifier 'foo'"),
    ("| a", 1, 4, "'|' or a temporary variable name", "temporaries opened at line 1, column 1"),
    ("| a 3 |", 1, 5, "'|' or a temporary variable name", "found number 3"),
    ("| self |", 1, 3, "a temporary variable name", "'self' is reserved"),
    ("| nil |", 1, 3, "a temporary variable name", "'nil' is reserved"),
    ("[:a 1]", 1, 5, "'|' or another block argument (':name')", "found number 1"),
    ("[: 3]", 1, 4, "a block argument name", "after ':'"),
    ("[:self | 1]", 1, 3, "a block argument name", "'self' is reserved"),
    ("[:a | ", 1, 7, "']'", "to close the block"),
    ("# foo", 1, 2, "a symbol, '(' or '[' after '#'", "found ' '"),
    ("#1", 1, 2, "a symbol, '(' or '[' after '#'", "found '1'"),
    ("#", 1, 2, "a symbol, '(' or '[' after '#'", "found end of input"),
    ("#^", 1, 2, "a symbol, '(' or '[' after '#'", "'^'"),
    ("a \u00bf", 1, 3, "a valid token", "unknown character '\u00bf' (U+00BF)"),
    ("a `b", 1, 3, "a valid token", "unknown character '`'"),
    ("#(1 \u00bf)", 1, 5, "a valid token", "unknown character"),
    ("3 + 'abc", 1, 9, "\"'\" closing the string", "unterminated string"),
    ("x := 'abc''", 1, 12, "\"'\" closing the string", "started at line 1, column 6"),
    ('x "abc"" y', 1, 11, "'\"' closing the comment", "started at line 1, column 3"),
    ("- 2", 1, 1, "expression", "found '-'"),
    ("x := -y", 1, 6, "expression", "found '-'"),
    ("^ ^ 1", 1, 3, "expression", "found '^'"),
    ("(^ 1)", 1, 2, "expression", "found '^'"),
    ("x foo: 1\n  bar: 2 +\n", 3, 1, "expression", "after '+'"),
    ("\n\n   (1 + 2", 3, 10, "')'", "opened at line 3, column 4"),
    ("<primitive: 1>", 1, 1, "expression", "found '<'"),
    ("self foo. + 3", 1, 11, "expression", "found '+'"),  # Pharo's own error test: column 11
    ("self 0", 1, 6, "period or end of input", "number 0"),  # Pharo: column 6
    ("self asdf;;asfd", 1, 11, "a message after ';'", "found ';'"),  # Pharo: column 11
    ("temp := .1 + 2.", 1, 9, "expression", "found '.'"),
    ("temp := ;1 + 2.", 1, 9, "expression", "found ';'"),
    ("temp := ,1 + 2.", 1, 9, "expression", "found ','"),
    ("2r1012", 1, 6, "period or end of input", "number 2"),
    ("10raisedTo: 2", 1, 4, "a digit between 0 and 9", "radix 10r"),
]


@pytest.mark.parametrize(("source", "line", "column", "expected", "fragment"), DOIT_ERRORS)
def test_doit_error(source: str, line: int, column: int, expected: str, fragment: str) -> None:
    with pytest.raises(SmalltalkSyntaxError) as info:
        parse_doit(source)
    error = info.value
    assert (error.line, error.column, error.expected) == (line, column, expected), str(error)
    assert fragment in error.message
    assert str(error) == f"line {line}, column {column}: {error.message}"
    assert error.offset == _offset(source, line, column)


def _offset(source: str, line: int, column: int) -> int:
    lines = source.split("\n")
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


METHOD_ERRORS = [
    ("", 1, 1, "a message pattern (unary, binary or keyword selector)"),
    ("1", 1, 1, "a message pattern (unary, binary or keyword selector)"),
    ("foo: ", 1, 6, "an argument name"),
    ("foo: 1", 1, 6, "an argument name"),
    ("foo: self", 1, 6, "an argument name"),
    ("foo: nil", 1, 6, "an argument name"),
    ("+ ", 1, 3, "an argument name"),
    ("foo <bar", 1, 9, "'>'"),
    ("foo <bar: baz>", 1, 11, "a literal"),
    ("foo <bar:>", 1, 10, "a literal"),
    ("foo <1>", 1, 6, "a pragma selector"),
    ("foo <nil>", 1, 6, "a pragma selector"),
    ("foo | t | ^ t <bar>", 1, 20, "expression"),  # `t < bar >`: '>' lacks its argument
    ("foo | a | | b |", 1, 11, "expression"),
    ("foo ^ 1 ]", 1, 9, "period or end of input"),
    ("method: asd  [", 1, 15, "']'"),
    ("method:  ^^", 1, 10, "an argument name"),
    ("method ^^", 1, 9, "expression"),
]


@pytest.mark.parametrize(("source", "line", "column", "expected"), METHOD_ERRORS)
def test_method_error(source: str, line: int, column: int, expected: str) -> None:
    with pytest.raises(SmalltalkSyntaxError) as info:
        parse_method(source)
    error = info.value
    assert (error.line, error.column, error.expected) == (line, column, expected), str(error)


@pytest.mark.parametrize("source", ["1. 2", "1.", "x := 3. y", "| a | a", "^ 1", "3 4"])
def test_parse_expression_takes_exactly_one_expression(source: str) -> None:
    with pytest.raises(SmalltalkSyntaxError):
        parse_expression(source)


def test_nesting_deeper_than_the_limit_is_a_syntax_error() -> None:
    for opener, closer in (("(", ")"), ("[", "]"), ("{", "}"), ("#(", ")")):
        deep = opener * (MAX_DEPTH + 1) + "1" + closer * (MAX_DEPTH + 1)
        with pytest.raises(SmalltalkSyntaxError) as info:
            parse_doit(deep)
        assert "nested more than" in info.value.message
        fine = opener * (MAX_DEPTH - 1) + "1" + closer * (MAX_DEPTH - 1)
        parse_doit(fine)


def test_pathological_inputs_fail_cleanly() -> None:
    sources = ("(" * 100_000, "[" * 100_000, "#(" * 50_000, "{" * 100_000, "1e999999999",
               "'" * 10_001, "x := " * 100_000, "x := " * 100_000 + "1")
    for source in sources:
        with contextlib.suppress(SmalltalkSyntaxError):
            parse_doit(source)


def test_error_pickles_with_its_details() -> None:
    with pytest.raises(SmalltalkSyntaxError) as info:
        parse_doit("3 +")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.message, copy.offset, copy.line, copy.column, copy.expected) == (
        info.value.message, 3, 1, 4, "expression",
    )
