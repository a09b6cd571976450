"""Tokens: the words of Pharo Smalltalk, as the scanner cuts them out of source text.

A token is a kind, a span of the source (`start` inclusive, `stop` exclusive, as for AST nodes),
the exact text of that span and, for literals, the Python value the text denotes (see
`stui_trio.smalltalk.ast` for how Smalltalk literals map to Python values).

The kinds follow Pharo's RBScanner, with its generic "special character" and "literal" tokens
split into precise kinds so that the parser and code completion can dispatch on them directly:

    IDENTIFIER  foo  Foo  _x  self  true       (true/false/nil too: the parser makes them literals)
    KEYWORD     at:  ifTrue:                   (one keyword part; the parser joins `at:put:`)
    BINARY      +  -  ->  ==>  ~=  |  ,        (any run of binary characters, as Pharo scans it)
    NUMBER      3  -3  16r1F  1e10  1.5  1.5s2 (a leading '-' is part of the number token)
    STRING      'it''s'
    SYMBOL      #foo  #at:put:  #+  #'a b'     (and bare words or binaries inside `#( )`)
    CHARACTER   $a  $'  $
    LITERAL_ARRAY  #(      BYTE_ARRAY  #[
    ASSIGN :=  COLON :  PERIOD .  SEMICOLON ;  CARET ^  ( ) [ ] { }
    COMMENT     "..."   (only when asked for: the parser never sees comments)
    ERROR       an unterminated string or comment, a bad number, an unknown character...
    EOF         always last, empty, at the end of the source

Error tokens never stop the scanner: it records what went wrong in a `ScanError` (message, what
was expected, where, and whether the input simply ended too early) and carries on, which is what
code completion needs on half-typed text. The parser turns the first error token it meets into a
`SmalltalkSyntaxError`.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

import attrs


class TokenKind(enum.Enum):
    IDENTIFIER = "identifier"
    KEYWORD = "keyword"
    BINARY = "binary selector"
    NUMBER = "number"
    STRING = "string"
    SYMBOL = "symbol"
    CHARACTER = "character"
    LITERAL_ARRAY = "'#('"
    BYTE_ARRAY = "'#['"
    ASSIGN = "':='"
    COLON = "':'"
    PERIOD = "'.'"
    SEMICOLON = "';'"
    CARET = "'^'"
    LPAREN = "'('"
    RPAREN = "')'"
    LBRACKET = "'['"
    RBRACKET = "']'"
    LBRACE = "'{'"
    RBRACE = "'}'"
    COMMENT = "comment"
    ERROR = "error"
    EOF = "end of input"


# Kinds whose token is a complete literal value (Token.value holds it).
LITERAL_KINDS = frozenset(
    {TokenKind.NUMBER, TokenKind.STRING, TokenKind.SYMBOL, TokenKind.CHARACTER}
)

# The three names the scanner reports as identifiers but that denote literal constants.
NAMED_LITERALS: dict[str, object] = {"true": True, "false": False, "nil": None}

# Names that can be neither declared nor assigned.
PSEUDO_VARIABLES = frozenset({"self", "super", "thisContext", "true", "false", "nil"})


@attrs.frozen
class ScanError:
    """What went wrong in an ERROR token.

    `offset` is where the problem is noticed (for an unterminated string: the end of the input,
    where the closing quote is missing); `incomplete` is True when more input could have
    completed the token, which lets completion treat it as "still being typed".
    """

    message: str
    expected: str
    offset: int
    incomplete: bool = False


class Token(NamedTuple):
    """One token. An immutable value like the attrs classes elsewhere, but a NamedTuple: the
    scanner makes one per word of source, and a tuple is four times cheaper to build (the
    scanner's hot path builds them with `tuple.__new__(Token, (...))`, cheaper still)."""

    kind: TokenKind
    start: int
    stop: int
    text: str
    # Literal value for NUMBER/STRING/SYMBOL/CHARACTER, a ScanError for ERROR, else None.
    value: object = None

    @property
    def is_incomplete(self) -> bool:
        """True for an error token that more typing could complete (e.g. `'abc`)."""
        return isinstance(self.value, ScanError) and self.value.incomplete

    def describe(self) -> str:
        """A short phrase naming this token in an error message: "end of input", "'+'"..."""
        kind = self.kind
        if kind is TokenKind.EOF:
            return "end of input"
        text = self.text if len(self.text) <= 24 else self.text[:21] + "..."
        if kind is TokenKind.IDENTIFIER:
            return f"identifier '{text}'"
        if kind is TokenKind.KEYWORD:
            return f"keyword '{text}'"
        if kind in (TokenKind.NUMBER, TokenKind.STRING, TokenKind.SYMBOL, TokenKind.CHARACTER):
            return f"{kind.value} {text}"
        return f"'{text}'"
