"""Compound literals: literal arrays and byte arrays, which hold only literal values.

- Literal arrays `#(1 $a 'str' #sym foo at:put: (1 2) #(3) #[1 2] true nil 1.5)`: elements are
  scanned in the scanner's literal-array mode, where bare words are symbols (`foo` is `#foo`,
  `foo:bar:` is `#foo:bar:`) except `true`, `false` and `nil`, binary runs are symbols (`+`),
  `( ... )` nests an array without a `#`, and, as in Pharo, the other punctuation characters
  (`. ; ^ : := [ ] { }`) stand for their symbols. The node's value is a tuple of Python literal
  values (nested tuples, `bytes` for nested byte arrays).
- Byte arrays `#[1 2 255]`: integers 0..255 only; the value is `bytes`.

These functions work on the `Parser` they are given (its current token and error reporting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from stui_trio.smalltalk.ast import LiteralArrayNode, ScaledDecimalLiteral, SymbolLiteral
from stui_trio.smalltalk.parser.scanner import Scanner
from stui_trio.smalltalk.parser.tokens import LITERAL_KINDS, NAMED_LITERALS, Token, TokenKind

if TYPE_CHECKING:
    from stui_trio.smalltalk.parser.parser import Parser

_K = TokenKind


def negate(value: object) -> object:
    """The negation of a number literal value."""
    if isinstance(value, ScaledDecimalLiteral):
        return attrs.evolve(value, value=-value.value)
    return -value  # type: ignore[operator]


def literal_array(parser: Parser) -> LiteralArrayNode:
    """Parse `#( ... )` or `#[ ... ]` at the current token.

    The contents are scanned afresh from the opener, in literal-array mode for `#(`, and the
    parser then resumes with its own tokens after the closer.
    """
    open_tok = parser.tok
    parser.enter()
    scanner = Scanner(parser.source, start=open_tok.stop)
    if open_tok.kind is _K.BYTE_ARRAY:
        value: tuple | bytes
        value, closer = _byte_array_body(parser, scanner, open_tok.start, literal_mode=False)
    else:
        value, closer = _array_body(parser, scanner, open_tok.start)
    parser.leave()
    parser.resume_after(closer)
    return LiteralArrayNode(
        value, open_tok.kind is _K.BYTE_ARRAY, start=open_tok.start, stop=closer.stop
    )


def _array_body(parser: Parser, scanner: Scanner, opened_at: int) -> tuple[tuple, Token]:
    """Elements up to the matching ')': (the elements, the ')' token)."""
    items: list[object] = []
    while True:
        tok = scanner.next(True)
        kind = tok.kind
        if kind is _K.RPAREN:
            return tuple(items), tok
        if kind in LITERAL_KINDS:
            items.append(tok.value)
        elif kind is _K.IDENTIFIER:  # literal mode yields identifiers only for true/false/nil
            items.append(NAMED_LITERALS[tok.text])
        elif kind is _K.LITERAL_ARRAY or kind is _K.LPAREN:
            parser.enter()
            items.append(_array_body(parser, scanner, tok.start)[0])
            parser.leave()
        elif kind is _K.BYTE_ARRAY:
            parser.enter()
            items.append(_byte_array_body(parser, scanner, tok.start, literal_mode=True)[0])
            parser.leave()
        elif kind is _K.EOF or kind is _K.ERROR:
            parser.error(
                "')'", f" to close the literal array opened at {parser.where(opened_at)}", tok=tok
            )
        else:  # `.` `;` `[` `:=` ...: Pharo reads them as symbols (with a warning)
            items.append(SymbolLiteral(tok.text))


def _byte_array_body(
    parser: Parser, scanner: Scanner, opened_at: int, literal_mode: bool
) -> tuple[bytes, Token]:
    """Bytes up to the matching ']': (the bytes, the ']' token)."""
    data = bytearray()
    while True:
        tok = scanner.next(literal_mode)
        if tok.kind is _K.RBRACKET:
            return bytes(data), tok
        if tok.kind is _K.EOF:
            parser.error(
                "']'", f" to close the byte array opened at {parser.where(opened_at)}", tok=tok
            )
        value = tok.value
        if tok.kind is not _K.NUMBER or type(value) is not int or not 0 <= value <= 255:
            parser.error("an integer between 0 and 255", " in the byte array", tok=tok)
        data.append(value)
