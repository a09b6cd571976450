"""The parser's cursor over the tokens, and how it reports errors.

The parser scans the whole source up front (`Scanner.scan_all`, normal mode) and walks the list
with this cursor: `tok` is the current token, `advance()` moves on. Two Pharo corners need the
cursor to rewrite tokens in place: a `||` token holds two bars where the grammar expects one
(`[:a || t | t]`: `step_bar` consumes one), and a negative number after an operand is a binary
minus (`x -1`: the parser splits the token). Literal arrays are rescanned on their own, in the
scanner's literal-array mode, after which `resume_after` puts the cursor back on the normal-mode
token that follows them.

`error()` raises the `SmalltalkSyntaxError` for the current token, or the scanner's own error
when that token is an ERROR token (an unterminated string is reported as such, not as an
unexpected token); `enter()`/`leave()` bound the nesting depth.
"""

from __future__ import annotations

from typing import NoReturn

from stui_trio.smalltalk.ast import position_of
from stui_trio.smalltalk.parser.errors import SmalltalkSyntaxError
from stui_trio.smalltalk.parser.scanner import Scanner
from stui_trio.smalltalk.parser.tokens import ScanError, Token, TokenKind

MAX_DEPTH = 100


class TokenCursor:
    """The parser's position in the token list of one source string, and its error reporting."""

    def __init__(self, source: str):
        self.source = source
        # The whole source is scanned up front (normal mode); literal arrays, which need the
        # scanner's literal-array mode, are rescanned on their own by literals.literal_array.
        self.tokens = Scanner(source).scan_all()
        self.index = 0
        self.tok: Token = self.tokens[0]
        self._depth = 0

    # -- token stream ----------------------------------------------------------------------

    def advance(self) -> None:
        self.index += 1
        self.tok = self.tokens[self.index]

    def resume_after(self, closer: Token) -> None:
        """Continue with the normal-mode token after `closer` (the end of a literal array)."""
        end = closer.stop
        tokens = self.tokens
        i = self.index + 1
        while tokens[i].start < end:  # the EOF token starts at len(source) >= end
            i += 1
        if tokens[i - 1].stop > end:  # a normal-mode token straddles the end: rescan the rest
            self.tokens = tokens = tokens[:i] + Scanner(self.source, start=end).scan_all()
        self.index = i
        self.tok = tokens[i]

    def step_bar(self) -> None:
        """Consume one '|' of the current binary token (`||` holds two bars)."""
        tok = self.tok
        if len(tok.text) == 1:
            self.advance()
        else:
            self.tok = Token(TokenKind.BINARY, tok.start + 1, tok.stop, tok.text[1:])

    def is_bar(self) -> bool:
        return self.tok.kind is TokenKind.BINARY and self.tok.text[0] == "|"

    # -- errors ----------------------------------------------------------------------------

    def error(
        self, expected: str, context: str = "", message: str | None = None, hint: str = "",
        tok: Token | None = None,
    ) -> NoReturn:
        """Raise a syntax error at `tok`, by default the current token (or its scan error)."""
        if tok is None:
            tok = self.tok
        if tok.kind is TokenKind.ERROR:
            problem = tok.value
            assert isinstance(problem, ScanError)
            raise SmalltalkSyntaxError.at(
                self.source, problem.offset, problem.message, problem.expected
            )
        if message is None:
            message = f"expected {expected}{context}, found {tok.describe()}{hint}"
        raise SmalltalkSyntaxError.at(self.source, tok.start, message, expected)

    def where(self, offset: int) -> str:
        line, column = position_of(self.source, offset)
        return f"line {line}, column {column}"

    def after_context(self) -> str:
        prev = self.tokens[self.index - 1] if self.index > 0 else None
        return f" after '{prev.text}'" if prev is not None and prev.text else ""

    def enter(self) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise SmalltalkSyntaxError.at(
                self.source, self.tok.start,
                f"expressions are nested more than {MAX_DEPTH} levels deep",
                f"at most {MAX_DEPTH} levels of nesting",
            )

    def leave(self) -> None:
        self._depth -= 1
