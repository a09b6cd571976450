"""The Pharo Smalltalk parser: source text to the AST in `stui_trio.smalltalk.ast`.

Three entry points, one per kind of source the engine and tools see:

    parse_doit("| a | a := 3 + 4. a * 2")      -> DoItNode     (a workspace evaluation)
    parse_method("at: i put: v <category: 'accessing'> ^ items at: i put: v")
                                                -> MethodNode   (a method definition)
    parse_expression("x foo: 1 bar: 2")         -> Node         (exactly one expression)

Each raises `SmalltalkSyntaxError` (with `line`, `column`, `offset` and `expected`) on bad input,
and nothing else: not for unterminated strings, not for absurd numbers, not for nesting too deep.

`tokenize(source)` is for tools that work on half-typed text (code completion, highlighting): it
never raises, returns every token with its kind and span, reports problems as ERROR tokens in
place (`Token.is_incomplete` says whether more typing could fix them) and always ends with EOF.

How the pieces fit: `scanner.py` cuts text into `tokens.py` tokens (numbers read by
`numbers.py`, a port of Pharo's NumberParser); `parser.py` builds statements and expressions by
recursive descent, walking the tokens with `cursor.py`; `literals.py` handles literal arrays and
byte arrays, `methods.py` message patterns and pragmas; `dump.py` renders a tree on one line for
tests and debugging. The grammar and its corner cases follow Pharo's RBScanner/RBParser; the
module docstrings list the details.

Where this parser knowingly differs from Pharo: assignments to and declarations of pseudo-variables
are syntax errors here (Pharo rejects them in its compiler), expressions nest at most MAX_DEPTH
levels, a number literal has at most 100000 digits, and a doit cannot carry pragmas.
"""

from __future__ import annotations

from stui_trio.smalltalk.ast import DoItNode, MethodNode, Node
from stui_trio.smalltalk.parser.cursor import MAX_DEPTH
from stui_trio.smalltalk.parser.errors import SmalltalkSyntaxError
from stui_trio.smalltalk.parser.parser import Parser
from stui_trio.smalltalk.parser.scanner import tokenize
from stui_trio.smalltalk.parser.tokens import ScanError, Token, TokenKind

__all__ = [
    "MAX_DEPTH",
    "ScanError",
    "SmalltalkSyntaxError",
    "Token",
    "TokenKind",
    "parse_doit",
    "parse_expression",
    "parse_method",
    "tokenize",
]


def parse_doit(source: str) -> DoItNode:
    """Parse a workspace evaluation: optional `| temps |`, then statements separated by '.'."""
    parser = Parser(source)
    return _guarded(parser, parser.doit)


def parse_method(source: str) -> MethodNode:
    """Parse a method: message pattern, pragmas and temporaries (in Pharo's orders), statements."""
    parser = Parser(source)
    return _guarded(parser, parser.method)


def parse_expression(source: str) -> Node:
    """Parse exactly one expression (an assignment, cascade or send; no '^', no period)."""
    parser = Parser(source)
    return _guarded(parser, parser.single_expression)


def _guarded(parser: Parser, parse):
    try:
        return parse()
    except RecursionError:
        # MAX_DEPTH normally stops runaway nesting first; this covers a caller already deep
        # in its own stack.
        raise SmalltalkSyntaxError.at(
            parser.source, parser.tok.start, "expressions are nested too deeply",
            "less deeply nested expressions",
        ) from None
