"""Method definitions: the message pattern, pragmas and the body of a method.

    method  ::= pattern pragma* [ '|' name* '|' ] pragma* statements
    pattern ::= identifier | binarySelector name | ( keyword name )+
    pragma  ::= '<' ( identifier | binarySelector literal | ( keyword literal )+ ) '>'

Pragmas may come before the temporaries, after them, or both, as Pharo allows
(`foo <primitive: 'x'> | t | <category: 'y'> ...`). Their arguments are literals (literal arrays
included); in a `primitive:` pragma an argument may also be a bare name
(`<primitive: 60 error: ec>`), kept as its name string as Pharo's parser does. A unary pattern
may be `true`, `false` or `nil` (Pharo allows methods with those selectors); argument names may
not be any of the pseudo-variables.

These functions work on the `Parser` they are given (its current token and error reporting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stui_trio.smalltalk.ast import MethodNode, Pragma, VariableNode
from stui_trio.smalltalk.parser.literals import literal_array
from stui_trio.smalltalk.parser.tokens import LITERAL_KINDS, NAMED_LITERALS, TokenKind

if TYPE_CHECKING:
    from stui_trio.smalltalk.parser.parser import Parser

_K = TokenKind


def method(parser: Parser) -> MethodNode:
    """Parse a whole method definition; the parser is at the first token."""
    selector, arguments, parts = pattern(parser)
    found: list[Pragma] = []
    pragmas(parser, found)
    temps, temps_start, temps_stop = parser.temporaries()
    pragmas(parser, found)
    body = parser.make_sequence(temps, temps_start, temps_stop, parser.statements(None))
    return MethodNode(
        selector, arguments, tuple(found), body, parser.source,
        start=0, stop=len(parser.source), selector_parts=parts,
    )


def pattern(parser: Parser) -> tuple[str, tuple[VariableNode, ...], tuple[tuple[int, int], ...]]:
    """Parse the message pattern: (selector, arguments, selector part spans)."""
    tok = parser.tok
    if tok.kind is _K.IDENTIFIER:
        parser.advance()
        return tok.text, (), ((tok.start, tok.stop),)
    if tok.kind is _K.BINARY:
        parser.advance()
        argument = parser.variable("an argument name")
        return tok.text, (argument,), ((tok.start, tok.stop),)
    if tok.kind is _K.KEYWORD:
        keywords: list[str] = []
        arguments: list[VariableNode] = []
        parts: list[tuple[int, int]] = []
        while parser.tok.kind is _K.KEYWORD:
            tok = parser.tok
            keywords.append(tok.text)
            parts.append((tok.start, tok.stop))
            parser.advance()
            arguments.append(parser.variable("an argument name"))
        return "".join(keywords), tuple(arguments), tuple(parts)
    parser.error("a message pattern (unary, binary or keyword selector)")


def pragmas(parser: Parser, out: list[Pragma]) -> None:
    """Parse any pragmas at the current token, appending them to `out`."""
    while parser.tok.kind is _K.BINARY and parser.tok.text == "<":
        open_tok = parser.tok
        parser.advance()
        tok = parser.tok
        arguments: list[object] = []
        if tok.kind is _K.IDENTIFIER and tok.text not in NAMED_LITERALS:
            selector = tok.text
            parser.advance()
        elif tok.kind is _K.KEYWORD:
            primitive = tok.text == "primitive:"
            keywords = []
            while parser.tok.kind is _K.KEYWORD:
                keywords.append(parser.tok.text)
                parser.advance()
                arguments.append(_pragma_argument(parser, primitive))
            selector = "".join(keywords)
        elif tok.kind is _K.BINARY:
            selector = tok.text
            parser.advance()
            arguments.append(_pragma_argument(parser, False))
        else:
            parser.error("a pragma selector", " after '<'")
        if parser.tok.kind is not _K.BINARY or parser.tok.text != ">":
            parser.error("'>'", f" to close the pragma opened at {parser.where(open_tok.start)}")
        stop = parser.tok.stop
        parser.advance()
        out.append(Pragma(selector, tuple(arguments), start=open_tok.start, stop=stop))


def _pragma_argument(parser: Parser, primitive: bool) -> object:
    tok = parser.tok
    if tok.kind in LITERAL_KINDS:
        parser.advance()
        return tok.value
    if tok.kind is _K.IDENTIFIER and (tok.text in NAMED_LITERALS or primitive):
        parser.advance()
        return NAMED_LITERALS.get(tok.text, tok.text)
    if tok.kind is _K.LITERAL_ARRAY or tok.kind is _K.BYTE_ARRAY:
        return literal_array(parser).value
    parser.error("a literal", " as pragma argument")
