"""The parser: tokens to the AST of `stui_trio.smalltalk.ast`, by recursive descent.

The grammar and its precedence are Pharo's (RBParser), from loosest to tightest binding:

    sequence    ::= [ '|' name* '|' ] statement? ( '.'+ statement )* '.'*
    statement   ::= '^' expression | expression
    expression  ::= name ':=' expression | cascade
    cascade     ::= keywordSend ( ';' message )*      (each message goes to the last receiver)
    keywordSend ::= binarySend ( keyword binarySend )*          (`at: 1 put: 2` is #at:put:)
    binarySend  ::= unarySend ( binarySelector unarySend )*
    unarySend   ::= primary identifier*
    primary     ::= name | literal | block | '(' expression ')' | '{' sequence-of-statements '}'
    block       ::= '[' ( ':' name )* [ '|' ] sequence ']'

Pharo's corners, kept on purpose: empty statements are fine (`1. . 2`, `{1..2}`); statements
after a `^` are accepted (Pharo's parser only warns "Unreachable statement", its compiler
compiles them); `3 -1` and `x-1` are binary minus (a negative number literal right after an
operand becomes `-` and the positive literal); `x true` sends the unary message `true`; a cascade
part is exactly one message (`a foo; bar baz` is an error), and a cascade needs a message before
its first ';' (`(a foo); bar` and `3; bar` are errors).

Deliberate differences: assignments to, and declarations of, `self super thisContext true false
nil` are reported here as syntax errors (Pharo reports them a step later, in its compiler), and
expressions nested deeper than MAX_DEPTH levels are rejected instead of exhausting the stack.

Spans: a node's `start`/`stop` cover its whole text, including the parentheses around it when it
is parenthesized. In a cascade, the first message spans from the receiver (it was parsed as an
ordinary send); the later ones span just their own selector and arguments (the text after ';').
A sequence spans its temporaries and statements; an empty one is empty, where its text would be.
Method and doit nodes span the whole source.
"""

from __future__ import annotations

import attrs

from stui_trio.smalltalk.ast import (
    ArrayNode,
    AssignmentNode,
    BlockNode,
    CascadeNode,
    DoItNode,
    LiteralNode,
    MessageNode,
    MethodNode,
    Node,
    ReturnNode,
    ScaledDecimalLiteral,
    SequenceNode,
    VariableNode,
)
from stui_trio.smalltalk.parser import literals, methods
from stui_trio.smalltalk.parser.cursor import TokenCursor
from stui_trio.smalltalk.parser.tokens import (
    LITERAL_KINDS,
    NAMED_LITERALS,
    PSEUDO_VARIABLES,
    Token,
    TokenKind,
)

_ID = TokenKind.IDENTIFIER
_KEYWORD = TokenKind.KEYWORD
_BINARY = TokenKind.BINARY
_NUMBER = TokenKind.NUMBER
_PERIOD = TokenKind.PERIOD
_CARET = TokenKind.CARET
_EOF = TokenKind.EOF
_CLOSERS = {TokenKind.RPAREN: "(", TokenKind.RBRACKET: "[", TokenKind.RBRACE: "{"}


class Parser(TokenCursor):
    """One parse of one source string. Use the module functions, not this class directly."""

    def __init__(self, source: str):
        super().__init__(source)
        self._paren_node: Node | None = None  # the last parenthesized primary (for cascades)

    # -- names -----------------------------------------------------------------------------

    def variable(self, what: str) -> VariableNode:
        """Consume a declarable name (an argument or temporary) and return its node."""
        tok = self.tok
        if tok.kind is not _ID:
            self.error(what, self.after_context())
        if tok.text in PSEUDO_VARIABLES:
            self.error(what, message=f"'{tok.text}' is reserved and cannot be used as {what}")
        self.advance()
        return VariableNode(tok.text, start=tok.start, stop=tok.stop)

    def temporaries(self) -> tuple[tuple[VariableNode, ...], int, int]:
        """`| a b |` if present: (temps, start, stop); start == stop == -1 when absent."""
        if not self.is_bar():
            return (), -1, -1
        start = self.tok.start
        self.step_bar()
        temps: list[VariableNode] = []
        while self.tok.kind is _ID:
            temps.append(self.variable("a temporary variable name"))
        if not self.is_bar():
            self.error(
                "'|' or a temporary variable name",
                f" to end the temporaries opened at {self.where(start)}",
            )
        stop = self.tok.start + 1
        self.step_bar()
        return tuple(temps), start, stop

    # -- sequences and statements ----------------------------------------------------------

    def sequence(self, closer: TokenKind | None) -> SequenceNode:
        """Temporaries and statements up to `closer` (not consumed) or the end of input."""
        temps, temps_start, temps_stop = self.temporaries()
        return self.make_sequence(temps, temps_start, temps_stop, self.statements(closer))

    def make_sequence(
        self, temps: tuple[VariableNode, ...], temps_start: int, temps_stop: int,
        statements: list[Node],
    ) -> SequenceNode:
        if temps_start >= 0:
            start = temps_start
        elif statements:
            start = statements[0].start
        else:
            start = self.tok.start  # empty: where the body would be
        stop = statements[-1].stop if statements else (temps_stop if temps_start >= 0 else start)
        return SequenceNode(temps, tuple(statements), start=start, stop=stop)

    def statements(self, closer: TokenKind | None) -> list[Node]:
        """Statements up to `closer` (not consumed) or, when None, the end of input."""
        result: list[Node] = []
        while self.tok.kind is _PERIOD:
            self.advance()
        while True:
            kind = self.tok.kind
            if kind is _EOF or kind is closer:
                return result
            if kind is _CARET:
                tok = self.tok
                self.advance()
                value = self.expression()
                result.append(ReturnNode(value, start=tok.start, stop=value.stop))
            else:
                result.append(self.expression())
            kind = self.tok.kind
            if kind is _PERIOD:
                while self.tok.kind is _PERIOD:
                    self.advance()
            elif kind is not _EOF and kind is not closer:
                self._end_of_statement_error(closer)

    def _end_of_statement_error(self, closer: TokenKind | None):
        expected = "period or end of input" if closer is None else f"period or {closer.value}"
        tok = self.tok
        if tok.kind in _CLOSERS:
            self.error(
                expected,
                message=f"expected {expected}, found {tok.describe()} with no matching "
                f"'{_CLOSERS[tok.kind]}'",
            )
        if tok.kind is TokenKind.ASSIGN:
            self.error(expected, hint=" (is a period missing before the assignment?)")
        self.error(expected)

    # -- expressions -----------------------------------------------------------------------

    def expression(self) -> Node:
        tok = self.tok
        if tok.kind is _ID and self.tokens[self.index + 1].kind is TokenKind.ASSIGN:
            return self._assignment()
        if tok.kind is TokenKind.ASSIGN:
            self.error("a variable name before ':='")
        node = self.binary_send()
        kind = self.tok.kind
        if kind is _KEYWORD:
            node = self._keywords(node, node.start)
            kind = self.tok.kind
        if kind is TokenKind.SEMICOLON:
            return self._cascade(node)
        return node

    def _assignment(self) -> Node:
        """`a := b := value`, read in a loop so that long chains cannot exhaust the stack."""
        variables: list[VariableNode] = []
        tok = self.tok
        while tok.kind is _ID and self.tokens[self.index + 1].kind is TokenKind.ASSIGN:
            if tok.text in PSEUDO_VARIABLES:
                self.error("an assignable variable", message=f"cannot assign to '{tok.text}'")
            variables.append(VariableNode(tok.text, start=tok.start, stop=tok.stop))
            self.index += 2
            tok = self.tok = self.tokens[self.index]
        node = self.expression()
        for variable in reversed(variables):
            node = AssignmentNode(variable, node, start=variable.start, stop=node.stop)
        return node

    def _cascade(self, first: Node) -> CascadeNode:
        if not isinstance(first, MessageNode) or first is self._paren_node:
            self.error(
                "a message before ';'",
                message="a cascade needs a message before ';' (found "
                + ("a parenthesized expression)" if first is self._paren_node else "no message)"),
            )
        receiver = first.receiver
        messages = [first]
        while self.tok.kind is TokenKind.SEMICOLON:
            self.advance()
            tok = self.tok
            if tok.kind is _ID:
                self.advance()
                message = MessageNode(
                    receiver, tok.text, (), ((tok.start, tok.stop),),
                    start=tok.start, stop=tok.stop,
                )
            elif tok.kind is _KEYWORD:
                message = self._keywords(receiver, tok.start)
            else:
                if tok.kind is _NUMBER:
                    self._split_negative()
                if self.tok.kind is not _BINARY:
                    self.error("a message after ';'")
                message = self._binary(receiver, self.tok.start)
            messages.append(message)
        return CascadeNode(receiver, tuple(messages), start=first.start, stop=messages[-1].stop)

    def _keywords(self, receiver: Node, start: int) -> MessageNode:
        parts: list[tuple[int, int]] = []
        keywords: list[str] = []
        arguments: list[Node] = []
        while self.tok.kind is _KEYWORD:
            tok = self.tok
            parts.append((tok.start, tok.stop))
            keywords.append(tok.text)
            self.advance()
            arguments.append(self.binary_send())
        return MessageNode(
            receiver, "".join(keywords), tuple(arguments), tuple(parts),
            start=start, stop=arguments[-1].stop,
        )

    def binary_send(self) -> Node:
        node = self.unary_send()
        while True:
            tok = self.tok
            kind = tok.kind
            if kind is _NUMBER:
                if not self._split_negative():
                    return node
                tok = self.tok
            elif kind is not _BINARY:
                return node
            self.index += 1
            self.tok = self.tokens[self.index]
            argument = self.unary_send()
            node = MessageNode(
                node, tok.text, (argument,), ((tok.start, tok.stop),),
                start=node.start, stop=argument.stop,
            )

    def _binary(self, receiver: Node, start: int) -> MessageNode:
        tok = self.tok
        self.advance()
        argument = self.unary_send()
        return MessageNode(
            receiver, tok.text, (argument,), ((tok.start, tok.stop),),
            start=start, stop=argument.stop,
        )

    def _split_negative(self) -> bool:
        """Turn a negative number after an operand into `-` and a positive number (Pharo)."""
        tok = self.tok
        value = tok.value
        number = value.value if isinstance(value, ScaledDecimalLiteral) else value
        if not (number < 0 or (number == 0 and tok.text[0] == "-")):
            return False
        # The positive number takes the token's place; the '-' becomes the current token.
        self.tokens[self.index] = Token(
            _NUMBER, tok.start + 1, tok.stop, tok.text[1:], literals.negate(value)
        )
        self.index -= 1
        self.tok = Token(_BINARY, tok.start, tok.start + 1, "-")
        return True

    def unary_send(self) -> Node:
        """A primary and the unary messages sent to it (the hot path: kept flat)."""
        tok = self.tok
        kind = tok.kind
        tokens = self.tokens
        if kind is _ID and tok.text not in NAMED_LITERALS:
            node: Node = VariableNode(tok.text, start=tok.start, stop=tok.stop)
            index = self.index + 1
            tok = tokens[index]
        elif kind in LITERAL_KINDS:
            node = LiteralNode(tok.value, start=tok.start, stop=tok.stop)
            index = self.index + 1
            tok = tokens[index]
        else:
            node = self.primary()
            tok = self.tok
            if tok.kind is not _ID:
                return node
            index = self.index
        while tok.kind is _ID:
            node = MessageNode(
                node, tok.text, (), ((tok.start, tok.stop),), start=node.start, stop=tok.stop
            )
            index += 1
            tok = tokens[index]
        self.index = index
        self.tok = tok
        return node

    def primary(self) -> Node:
        tok = self.tok
        kind = tok.kind
        if kind is _ID:
            self.advance()
            if tok.text in NAMED_LITERALS:
                return LiteralNode(NAMED_LITERALS[tok.text], start=tok.start, stop=tok.stop)
            return VariableNode(tok.text, start=tok.start, stop=tok.stop)
        if kind in LITERAL_KINDS:
            self.advance()
            return LiteralNode(tok.value, start=tok.start, stop=tok.stop)
        if kind is TokenKind.LBRACKET:
            return self.block()
        if kind is TokenKind.LPAREN:
            return self._parenthesized()
        if kind is TokenKind.LBRACE:
            self.enter()
            self.advance()
            statements = self.statements(TokenKind.RBRACE)
            stop = self._expect_closer(TokenKind.RBRACE, "the brace array", tok.start)
            self.leave()
            return ArrayNode(tuple(statements), start=tok.start, stop=stop)
        if kind is TokenKind.LITERAL_ARRAY or kind is TokenKind.BYTE_ARRAY:
            return literals.literal_array(self)
        self.error("expression", self.after_context())

    def _expect_closer(self, closer: TokenKind, what: str, opened_at: int) -> int:
        """Consume the closer of a bracketed construct; return where it stops."""
        tok = self.tok
        if tok.kind is not closer:
            self.error(closer.value, f" to close {what} opened at {self.where(opened_at)}")
        self.advance()
        return tok.stop

    def _parenthesized(self) -> Node:
        open_tok = self.tok
        self.enter()
        self.advance()
        node = self.expression()
        stop = self._expect_closer(TokenKind.RPAREN, "the parenthesis", open_tok.start)
        self.leave()
        node = attrs.evolve(node, start=open_tok.start, stop=stop)
        self._paren_node = node
        return node

    def block(self) -> BlockNode:
        open_tok = self.tok
        self.enter()
        self.advance()
        arguments: list[VariableNode] = []
        while self.tok.kind is TokenKind.COLON:
            self.advance()
            arguments.append(self.variable("a block argument name"))
        if arguments:
            if self.is_bar():
                self.step_bar()
            elif self.tok.kind is not TokenKind.RBRACKET:
                self.error("'|' or another block argument (':name')")
        body = self.sequence(TokenKind.RBRACKET)
        stop = self._expect_closer(TokenKind.RBRACKET, "the block", open_tok.start)
        self.leave()
        return BlockNode(tuple(arguments), body, start=open_tok.start, stop=stop)

    # -- top level -------------------------------------------------------------------------

    def method(self) -> MethodNode:
        return methods.method(self)

    def doit(self) -> DoItNode:
        body = self.sequence(None)
        return DoItNode(body, self.source, start=0, stop=len(self.source))

    def single_expression(self) -> Node:
        node = self.expression()
        if self.tok.kind is not _EOF:
            self.error("end of input")
        return node
