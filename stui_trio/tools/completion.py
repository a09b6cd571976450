"""Code completion at a cursor: what could be typed next, ranked, from half-typed source.

The `complete` command calls `complete(code, cursor, names)`. It never parses (half-typed code
rarely parses); it reads the parser's `tokenize`, which never raises, and looks at the tokens
just before the cursor to decide which of three situations it is in:

- *message position* (after a receiver: `'abc' asUpp`, `x foo`, `(a + b) pri`): selectors. When
  the receiver's class is known - a literal, a workspace variable, a class name (then its class
  side), `true`/`false`/`nil` - only the selectors that class understands; otherwise every
  selector the image knows.
- *keyword continuation* (`d at: 1 pu` -> `put:`): the next keyword part of selectors that start
  with the keywords already typed in this message, offered as kind `keyword`.
- *expression position* (start of a statement, after `:=`, a keyword, a binary, `(`, `[`):
  temporaries and block arguments of the code, workspace variables, pseudo-variables, and
  globals/class names.

The image is reached only through the small `NameSource` protocol, so this module is plain
logic, testable without an engine. Ranking: exact-case prefix matches before case-insensitive
ones, then shorter names, then alphabetical; at most `limit` results.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import attrs

from stui_trio.smalltalk.parser import Token, TokenKind, tokenize

PSEUDO_VARIABLES = ("self", "super", "thisContext", "true", "false", "nil")

# Tokens after which an expression ends, so what follows is a message to it.
_OPERAND_END = frozenset({
    TokenKind.IDENTIFIER, TokenKind.NUMBER, TokenKind.STRING, TokenKind.SYMBOL,
    TokenKind.CHARACTER, TokenKind.RPAREN, TokenKind.RBRACKET, TokenKind.RBRACE,
})
# Classes of literals as Pharo (and this engine) names them.
_LITERAL_CLASS = {
    TokenKind.STRING: "ByteString",
    TokenKind.SYMBOL: "ByteSymbol",
    TokenKind.CHARACTER: "Character",
}
_NAMED_LITERAL_CLASS = {"true": "True", "false": "False", "nil": "UndefinedObject"}
_SMALL_MIN, _SMALL_MAX = -(2**60), 2**60 - 1


@attrs.frozen
class Receiver:
    """What completion knows about the receiver: a class name and which side of it."""

    class_name: str
    class_side: bool = False


@attrs.frozen
class Completion:
    text: str
    kind: str  # variable | selector | class | keyword


@attrs.frozen
class CompletionResult:
    prefix: str
    completions: tuple[Completion, ...]


class NameSource(Protocol):
    """What completion asks of the image and the session's workspace."""

    def workspace_variables(self) -> Iterable[str]: ...

    def global_names(self) -> Iterable[str]: ...

    def class_of_variable(self, name: str) -> str | None: ...

    def is_class_name(self, name: str) -> bool: ...

    def selectors_of(self, receiver: Receiver) -> Iterable[str] | None:
        """Selectors the receiver understands; None when the class is unknown."""
        ...

    def all_selectors(self) -> Iterable[str]: ...


def rank(prefix: str, names: Iterable[str], limit: int) -> list[str]:
    """Names starting with `prefix` (exact case first, then any case), shorter first."""
    low = prefix.lower()
    seen: set[str] = set()
    scored: list[tuple[int, int, str]] = []
    for name in names:
        if name in seen or name == prefix:
            continue
        seen.add(name)
        if name.startswith(prefix):
            scored.append((0, len(name), name))
        elif name.lower().startswith(low):
            scored.append((1, len(name), name))
    scored.sort()
    return [name for _, _, name in scored[:limit]]


def complete(code: str, cursor: int | None, names: NameSource, limit: int = 50) -> CompletionResult:
    cursor = len(code) if cursor is None else max(0, min(cursor, len(code)))
    text = code[:cursor]
    tokens = [t for t in tokenize(text) if t.kind is not TokenKind.EOF]
    if tokens and tokens[-1].kind is TokenKind.ERROR and tokens[-1].stop == len(text):
        return CompletionResult("", ())  # inside an unfinished string, comment or literal
    prefix = ""
    if tokens and tokens[-1].kind is TokenKind.IDENTIFIER and tokens[-1].stop == len(text):
        prefix = tokens[-1].text
        tokens = tokens[:-1]
    if tokens and _is_operand_end(tokens, len(tokens) - 1):
        found = _message_completions(tokens, prefix, names, limit)
    else:
        found = _expression_completions(code, prefix, names, limit)
    return CompletionResult(prefix, tuple(found[:limit]))


def _is_operand_end(tokens: list[Token], i: int) -> bool:
    return tokens[i].kind in _OPERAND_END


def _starts_operand(tokens: list[Token], i: int) -> bool:
    """Token i (an identifier or literal) is a primary, not a unary selector."""
    return i == 0 or tokens[i - 1].kind not in _OPERAND_END | {TokenKind.SEMICOLON}


def _receiver_of(tokens: list[Token], i: int, names: NameSource) -> Receiver | None:
    token = tokens[i]
    if not _starts_operand(tokens, i):
        return None
    if token.kind in _LITERAL_CLASS:
        return Receiver(_LITERAL_CLASS[token.kind])
    if token.kind is TokenKind.NUMBER:
        return Receiver(_number_class(token.value))
    if token.kind is TokenKind.IDENTIFIER:
        if token.text in _NAMED_LITERAL_CLASS:
            return Receiver(_NAMED_LITERAL_CLASS[token.text])
        bound = names.class_of_variable(token.text)
        if bound is not None:
            if bound.endswith(" class"):  # the variable holds a class: its class side
                return Receiver(bound.removesuffix(" class"), class_side=True)
            return Receiver(bound)
        if token.text[:1].isupper() and names.is_class_name(token.text):
            return Receiver(token.text, class_side=True)
    return None


def _number_class(value: object) -> str:
    if isinstance(value, bool):
        return "Object"
    if isinstance(value, int):
        if _SMALL_MIN <= value <= _SMALL_MAX:
            return "SmallInteger"
        return "LargePositiveInteger" if value > 0 else "LargeNegativeInteger"
    if isinstance(value, float):
        return "SmallFloat64"
    return "ScaledDecimal" if "ScaledDecimal" in type(value).__name__ else "Number"


def _message_completions(
    tokens: list[Token], prefix: str, names: NameSource, limit: int
) -> list[Completion]:
    out: list[Completion] = []
    keywords, keyword_receiver = _open_keywords(tokens, names)
    if keywords:
        typed = "".join(keywords)
        pool = names.selectors_of(keyword_receiver) if keyword_receiver else None
        pool = names.all_selectors() if pool is None else pool
        parts = set()
        for selector in pool:
            if selector.startswith(typed) and len(selector) > len(typed):
                parts.add(selector[len(typed):].split(":", 1)[0] + ":")
        out += [Completion(p, "keyword") for p in rank(prefix, parts, limit)]
    receiver = _receiver_of(tokens, len(tokens) - 1, names)
    pool = names.selectors_of(receiver) if receiver is not None else None
    if pool is None:
        pool = names.all_selectors()
    known = {c.text for c in out}
    out += [
        Completion(s, "selector") for s in rank(prefix, pool, limit) if s not in known
    ]
    return out


def _open_keywords(tokens: list[Token], names: NameSource) -> tuple[list[str], Receiver | None]:
    """Keywords of the keyword message still open at the cursor, and its receiver if known."""
    depth = 0
    keywords: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        kind = tokens[i].kind
        if kind in (TokenKind.RPAREN, TokenKind.RBRACKET, TokenKind.RBRACE):
            depth += 1
        elif kind in (TokenKind.LPAREN, TokenKind.LBRACKET, TokenKind.LBRACE):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and kind in (TokenKind.PERIOD, TokenKind.ASSIGN, TokenKind.CARET,
                                     TokenKind.SEMICOLON):
            break
        elif depth == 0 and kind is TokenKind.KEYWORD:
            keywords.insert(0, tokens[i].text)
        i -= 1
    if not keywords:
        return [], None
    first = next(j for j in range(i + 1, len(tokens)) if tokens[j].kind is TokenKind.KEYWORD)
    receiver = None
    if first - 1 == i + 1 and _is_operand_end(tokens, first - 1):
        receiver = _receiver_of(tokens, first - 1, names)
    return keywords, receiver


def _expression_completions(
    code: str, prefix: str, names: NameSource, limit: int
) -> list[Completion]:
    local = _declared_names(tokenize(code))
    kinds = {g: "class" for g in names.global_names()}
    # Variables shadow globals of the same name.
    kinds.update((v, "variable") for v in [*local, *names.workspace_variables(),
                                           *PSEUDO_VARIABLES])
    return [Completion(name, kinds[name]) for name in rank(prefix, kinds, limit)]


def _declared_names(tokens: list[Token]) -> list[str]:
    """Temporaries (`| a b |`), block arguments (`:x`) and assigned names in the code."""
    found: list[str] = []
    in_temps = False
    args_bar = -1  # index of the `|` that ends a block's arguments
    for i, token in enumerate(tokens):
        kind = token.kind
        if kind is TokenKind.BINARY and token.text == "|":
            if in_temps:
                in_temps = False
            elif i == 0 or tokens[i - 1].kind is TokenKind.LBRACKET or args_bar == i - 1:
                in_temps = True
            elif i >= 2 and tokens[i - 2].kind is TokenKind.COLON:
                args_bar = i
            continue
        if in_temps:
            if kind is TokenKind.IDENTIFIER:
                found.append(token.text)
                continue
            in_temps = False
        if kind is not TokenKind.IDENTIFIER:
            continue
        block_arg = i > 0 and tokens[i - 1].kind is TokenKind.COLON
        assigned = i + 1 < len(tokens) and tokens[i + 1].kind is TokenKind.ASSIGN
        if block_arg or assigned:
            found.append(token.text)
    return found
