"""The scanner through `tokenize`: kinds, spans, values, and half-typed text (for completion)."""

from __future__ import annotations

import pytest

from stui_trio.smalltalk.ast import CharacterLiteral, SymbolLiteral
from stui_trio.smalltalk.parser import ScanError, Token, TokenKind, tokenize

K = TokenKind


def kinds_and_texts(source: str) -> list[tuple[str, str]]:
    return [(tok.kind.name, tok.text) for tok in tokenize(source)]


TOKENS = [
    ("", [("EOF", "")]),
    ("foo", [("IDENTIFIER", "foo"), ("EOF", "")]),
    ("at: 1", [("KEYWORD", "at:"), ("NUMBER", "1"), ("EOF", "")]),
    ("a:=1", [("IDENTIFIER", "a"), ("ASSIGN", ":="), ("NUMBER", "1"), ("EOF", "")]),
    ("a:b", [("KEYWORD", "a:"), ("IDENTIFIER", "b"), ("EOF", "")]),
    ("x-1", [("IDENTIFIER", "x"), ("NUMBER", "-1"), ("EOF", "")]),
    ("x - 1", [("IDENTIFIER", "x"), ("BINARY", "-"), ("NUMBER", "1"), ("EOF", "")]),
    ("3+-2", [("NUMBER", "3"), ("BINARY", "+-"), ("NUMBER", "2"), ("EOF", "")]),
    ("a->b", [("IDENTIFIER", "a"), ("BINARY", "->"), ("IDENTIFIER", "b"), ("EOF", "")]),
    ("[:a||t|]", [("LBRACKET", "["), ("COLON", ":"), ("IDENTIFIER", "a"), ("BINARY", "||"),
                  ("IDENTIFIER", "t"), ("BINARY", "|"), ("RBRACKET", "]"), ("EOF", "")]),
    ("^self.", [("CARET", "^"), ("IDENTIFIER", "self"), ("PERIOD", "."), ("EOF", "")]),
    ("{(;)}", [("LBRACE", "{"), ("LPAREN", "("), ("SEMICOLON", ";"), ("RPAREN", ")"),
               ("RBRACE", "}"), ("EOF", "")]),
    ("#(a b:c: +)", [("LITERAL_ARRAY", "#("), ("SYMBOL", "a"), ("SYMBOL", "b:c:"),
                     ("SYMBOL", "+"), ("RPAREN", ")"), ("EOF", "")]),
    ("#(nil (x)) y:", [("LITERAL_ARRAY", "#("), ("IDENTIFIER", "nil"), ("LPAREN", "("),
                       ("SYMBOL", "x"), ("RPAREN", ")"), ("RPAREN", ")"), ("KEYWORD", "y:"),
                       ("EOF", "")]),
    ("#[1 2]", [("BYTE_ARRAY", "#["), ("NUMBER", "1"), ("NUMBER", "2"), ("RBRACKET", "]"),
                ("EOF", "")]),
    ("$a$ ", [("CHARACTER", "$a"), ("CHARACTER", "$ "), ("EOF", "")]),
    ("'a''b'#c", [("STRING", "'a''b'"), ("SYMBOL", "#c"), ("EOF", "")]),
    ("x \"c\" y", [("IDENTIFIER", "x"), ("IDENTIFIER", "y"), ("EOF", "")]),
    ("caf\u00e9 \u00fcber:", [("IDENTIFIER", "caf\u00e9"), ("KEYWORD", "\u00fcber:"), ("EOF", "")]),
    ("\u03bb\u00b7x", [("IDENTIFIER", "\u03bb"), ("BINARY", "\u00b7"), ("IDENTIFIER", "x"),
                      ("EOF", "")]),
    ("1.5e3s", [("NUMBER", "1.5e3"), ("IDENTIFIER", "s"), ("EOF", "")]),
    ("3.", [("NUMBER", "3"), ("PERIOD", "."), ("EOF", "")]),
    ("16r1F.", [("NUMBER", "16r1F"), ("PERIOD", "."), ("EOF", "")]),
    ("thisContext", [("IDENTIFIER", "thisContext"), ("EOF", "")]),
    ("\t\r\n\f\x00x", [("IDENTIFIER", "x"), ("EOF", "")]),
]


@pytest.mark.parametrize(("source", "expected"), TOKENS)
def test_tokens(source: str, expected: list[tuple[str, str]]) -> None:
    assert kinds_and_texts(source) == expected


def test_spans_cover_the_text() -> None:
    source = "x := #(1 $a) , 'it''s' \"c\" foo: 16r1F; bar"
    for tok in tokenize(source):
        assert source[tok.start : tok.stop] == tok.text
    eof = tokenize(source)[-1]
    assert (eof.kind, eof.start, eof.stop) == (K.EOF, len(source), len(source))


def test_literal_values() -> None:
    values = [tok.value for tok in tokenize("42 'it''s' #at:put: $x 1.5 #'a b' #+")][:-1]
    assert values == [42, "it's", SymbolLiteral("at:put:"), CharacterLiteral("x"), 1.5,
                      SymbolLiteral("a b"), SymbolLiteral("+")]


def test_comments_on_request() -> None:
    tokens = tokenize('x "one" y "two ""q"""', comments=True)
    assert [(t.kind.name, t.text) for t in tokens] == [
        ("IDENTIFIER", "x"), ("COMMENT", '"one"'), ("IDENTIFIER", "y"),
        ("COMMENT", '"two ""q"""'), ("EOF", ""),
    ]
    assert tokens[3].value == 'two ""q""'


# Half-typed text, as code completion sees it: tokenize never raises.
INCOMPLETE = [
    ("'abc' asUpp", [("STRING", "'abc'"), ("IDENTIFIER", "asUpp"), ("EOF", "")], False),
    ("x at: 1 pu", [("IDENTIFIER", "x"), ("KEYWORD", "at:"), ("NUMBER", "1"),
                    ("IDENTIFIER", "pu"), ("EOF", "")], False),
    ("x foo: 'ab", [("IDENTIFIER", "x"), ("KEYWORD", "foo:"), ("ERROR", "'ab"), ("EOF", "")], True),
    ("x \"note", [("IDENTIFIER", "x"), ("ERROR", '"note'), ("EOF", "")], True),
    ("$", [("ERROR", "$"), ("EOF", "")], True),
    ("#", [("ERROR", "#"), ("EOF", "")], True),
    ("16r", [("ERROR", "16r"), ("EOF", "")], True),
    ("#'ab", [("ERROR", "#'ab"), ("EOF", "")], True),
    ("#(1 2", [("LITERAL_ARRAY", "#("), ("NUMBER", "1"), ("NUMBER", "2"), ("EOF", "")], False),
    ("x ab:", [("IDENTIFIER", "x"), ("KEYWORD", "ab:"), ("EOF", "")], False),
]


@pytest.mark.parametrize(("source", "expected", "incomplete"), INCOMPLETE)
def test_incomplete_input(source: str, expected, incomplete: bool) -> None:
    tokens = tokenize(source)
    assert [(t.kind.name, t.text) for t in tokens] == expected
    assert any(t.is_incomplete for t in tokens) is incomplete


def test_errors_stay_in_place_and_scanning_continues() -> None:
    tokens = tokenize("a \u00bf b 1r2 c # d")
    assert [t.kind.name for t in tokens] == [
        "IDENTIFIER", "ERROR", "IDENTIFIER", "ERROR", "NUMBER", "IDENTIFIER", "ERROR",
        "IDENTIFIER", "EOF",
    ]
    problem = tokens[1].value
    assert isinstance(problem, ScanError)
    assert problem.offset == 2 and not problem.incomplete
    assert "unknown character" in problem.message


def test_token_describe() -> None:
    assert Token(K.EOF, 0, 0, "").describe() == "end of input"
    assert Token(K.IDENTIFIER, 0, 3, "foo").describe() == "identifier 'foo'"
    assert Token(K.NUMBER, 0, 1, "3", 3).describe() == "number 3"
    assert Token(K.BINARY, 0, 1, "+").describe() == "'+'"
    assert Token(K.STRING, 0, 40, "'" + "x" * 38 + "'").describe().endswith("...")


def test_fast_and_general_paths_agree() -> None:
    # The scanner has a regular-expression fast path for common tokens and a general path
    # (used in literal-array mode and for comments); outside literal arrays they must agree.
    from stui_trio.smalltalk.parser.scanner import Scanner

    source = (
        "foo: x bar + 3 -1 x-1 a:=b #sym #a:b: ##c 'st''r' $a 1.5 2r101 1e3 3s2 #(1) #[2]"
        " \u00e9t\u00e9 caf\u00e9 #caf\u00e9 #a:b\u00e9 x\u00b7y -> ==> ^ [:a | a] {1. 2}"
        " 1.5e-3 -0.5 123456789012345678901"
    )
    fast = Scanner(source).scan_all()
    slow_scanner = Scanner(source, keep_comments=True)  # comments mode uses the general path
    slow = []
    while True:
        tok = slow_scanner.next()
        slow.append(tok)
        if tok.kind is K.EOF:
            break
    assert fast == slow
