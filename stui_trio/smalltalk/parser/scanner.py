"""The scanner: Pharo Smalltalk source text to tokens, one at a time, never raising.

It follows Pharo's RBScanner character classes and decisions:

- letters (any Unicode letter) and '_' start identifiers; a name directly followed by ':' (but
  not ':=') is a keyword part, so `a:=1` is `a`, `:=`, `1`;
- binary characters are `+ - / \\ * ~ < > = @ , % | & ? !` and the Latin-1 middle dot,
  division, plus-minus and multiplication signs; a run of them is one token (`->`, `==>`, and
  also `3+-2` is `3 +- 2`, as in Pharo); `|` runs are split later by the parser where a bar is
  expected (`[:a || t | ]`);
- a '-' directly followed by a digit starts a number (`-3`, `x-1` scans `x`, `-1`; the parser
  turns a negative number after an operand back into a binary minus, as Pharo's does);
- `#` starts a symbol (`#foo`, `#at:put:`, `#foo:bar`, `#+`, `#'a b'`, and `##foo` = `#foo`),
  a literal array `#(` or a byte array `#[`;
- `$` takes any next character (`$ ` is the space); strings double their quotes;
- comments `"..."` (a doubled `""` inside is a quote) go between any two tokens and are skipped;
- inside a literal array (`literal_array=True`) bare words are symbols (`foo`, `at:put:`,
  `foo:bar:`), except `true`, `false` and `nil`, and runs of binary characters are symbols too.

Every token is a `Token` (see tokens.py). Problems become ERROR tokens: the scanner always moves
forward and always ends with an EOF token, so `tokenize` works on half-typed text.
"""

from __future__ import annotations

import re

from stui_trio.smalltalk.ast import CharacterLiteral, SymbolLiteral
from stui_trio.smalltalk.parser.numbers import NumberError, scan_number
from stui_trio.smalltalk.parser.tokens import ScanError, Token, TokenKind

BINARY_CHARS = "+-/\\*~<>=@,%|&?!\u00b7\u00f7\u00b1\u00d7"

_SEPARATORS = re.compile(r"[ \t\n\r\f\x00]*")
# Possessive, like Pharo's loops: in `'abc''` the doubled quote is an escaped quote, so the
# string is unterminated (not `'abc'` followed by a stray quote). Same for comments.
_COMMENT = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')
_STRING = re.compile(r"'[^']*+(?:''[^']*+)*+'")
_ASCII_NAME_TAIL = re.compile(r"[A-Za-z0-9_]*")
_BINARY_RUN = re.compile("[" + re.escape(BINARY_CHARS) + "]+")

# The common tokens of plain ASCII code in one regular expression (after blanks, no comments):
# the scanner's fast path. Anything it does not match exactly (comments, non-ASCII names,
# radix/float/scaled numbers, `$`, literal arrays, errors, the end) goes to the general path,
# which is the reference: the fast path must only ever agree with it.
_FAST = re.compile(
    r'(?:[ \t\n\r\f\x00]++|"[^"]*+(?:""[^"]*+)*+")*+(?:'  # blanks and comments, no backtracking
    r"([A-Za-z_][A-Za-z0-9_]*+:)(?!=)"  # 1 keyword part
    r"|([A-Za-z_][A-Za-z0-9_]*+)(?![\x80-\U0010ffff])"  # 2 identifier (possessive: `café`)
    r"|((?!-[0-9])[" + re.escape(BINARY_CHARS) + r"]+)"  # 3 binary selector (not -digit)
    r"|(-?[0-9]{1,18})(?![0-9A-Za-z]|\.[0-9])"  # 4 plain decimal integer
    r"|(:=|[().:;\[\]{}^])"  # 5 special characters
    r"|((?>\#+[A-Za-z_][A-Za-z0-9_]*(?::+[A-Za-z_][A-Za-z0-9_]*)*:*))(?![\x80-\U0010ffff])"  # 6
    r"|('[^']*+(?:''[^']*+)*+')"  # 7 string
    r"|(\$.)"  # 8 character
    r"|(-?[0-9]{1,15}\.[0-9]{1,15})(?![0-9A-Za-z])"  # 9 plain decimal float
    r"|(\#[(\[])"  # 10 literal array or byte array opener
    r")",
    re.DOTALL,
)
_FAST_KINDS = (None, TokenKind.KEYWORD, TokenKind.IDENTIFIER, TokenKind.BINARY)

# Character classes for dispatch (Pharo's classificationTable, with specials split by char).
_ALPHA, _DIGIT, _BINARY, _SPECIAL, _QUOTE, _HASH, _DOLLAR = range(7)
_CLASS: dict[str, int] = {}
for _code in range(256):
    _char = chr(_code)
    if _char.isalpha() or _char == "_":
        _CLASS[_char] = _ALPHA
for _char in "0123456789":
    _CLASS[_char] = _DIGIT
for _char in BINARY_CHARS:
    _CLASS[_char] = _BINARY
for _char in "().:;[]{}^":
    _CLASS[_char] = _SPECIAL
_CLASS["'"] = _QUOTE
_CLASS["#"] = _HASH
_CLASS["$"] = _DOLLAR

_new = tuple.__new__
_NUMBER_KIND = TokenKind.NUMBER
_SYMBOL_KIND = TokenKind.SYMBOL
_STRING_KIND = TokenKind.STRING
_CHARACTER_KIND = TokenKind.CHARACTER

_SPECIAL_KINDS = {
    ":=": TokenKind.ASSIGN,
    "(": TokenKind.LPAREN,
    ")": TokenKind.RPAREN,
    "[": TokenKind.LBRACKET,
    "]": TokenKind.RBRACKET,
    "{": TokenKind.LBRACE,
    "}": TokenKind.RBRACE,
    ".": TokenKind.PERIOD,
    ";": TokenKind.SEMICOLON,
    "^": TokenKind.CARET,
    ":": TokenKind.COLON,
}


def _fast_token(match: re.Match) -> Token:
    """The token for a match of _FAST."""
    group = match.lastindex
    start = match.start(group)
    stop = match.end()
    text = match.group(group)
    if group <= 3:
        return _new(Token, (_FAST_KINDS[group], start, stop, text, None))
    if group == 4:
        return _new(Token, (_NUMBER_KIND, start, stop, text, int(text)))
    if group == 5:
        return _new(Token, (_SPECIAL_KINDS[text], start, stop, text, None))
    if group == 6:
        return _new(Token, (_SYMBOL_KIND, start, stop, text, SymbolLiteral(text.lstrip("#"))))
    if group == 7:
        value = text[1:-1].replace("''", "'")
        return _new(Token, (_STRING_KIND, start, stop, text, value))
    if group == 8:
        return _new(Token, (_CHARACTER_KIND, start, stop, text, CharacterLiteral(text[1])))
    if group == 9:  # float() rounds correctly, as Pharo's exact-fraction conversion does
        return _new(Token, (_NUMBER_KIND, start, stop, text, float(text)))
    kind = TokenKind.LITERAL_ARRAY if text[1] == "(" else TokenKind.BYTE_ARRAY
    return _new(Token, (kind, start, stop, text, None))


def is_letter(char: str) -> bool:
    """Pharo's #alphabetic character class: a Unicode letter or '_'."""
    return char == "_" or char.isalpha()


def _name_end(source: str, pos: int) -> int:
    """End of the name (letters, '_', ASCII digits) starting at `pos`."""
    length = len(source)
    while True:
        pos = _ASCII_NAME_TAIL.match(source, pos).end()
        if pos < length and source[pos] >= "\x80" and source[pos].isalpha():
            pos += 1
            continue
        return pos


def _symbol_end(source: str, pos: int) -> int:
    """End of symbol text starting at a letter: names and colons, `at:put:`, `foo:bar`."""
    length = len(source)
    pos = _name_end(source, pos)
    while pos < length:
        char = source[pos]
        if char == ":":
            pos += 1
        elif is_letter(char):
            pos = _name_end(source, pos)
        else:
            break
    return pos


class Scanner:
    """Cuts `source` into tokens on demand; `next()` returns the next one (EOF forever at end).

    Comments are skipped; when `keep_comments` is set they are collected in `comments`.
    """

    def __init__(self, source: str, *, start: int = 0, keep_comments: bool = False):
        self.source = source
        self.pos = start
        self.keep_comments = keep_comments
        self.comments: list[Token] = []

    def next(self, literal_array: bool = False) -> Token:
        """The next token (in literal-array mode if asked), advancing past it."""
        if not literal_array and not self.keep_comments:
            match = _FAST.match(self.source, self.pos)
            if match is not None:
                self.pos = match.end()
                return _fast_token(match)
        return self._next(literal_array)

    def scan_all(self) -> list[Token]:
        """All remaining tokens in normal mode, through EOF: the parser's bulk path."""
        source = self.source
        pos = self.pos
        tokens: list[Token] = []
        append = tokens.append
        fast = _FAST.match
        while True:
            match = fast(source, pos)
            if match is not None:
                pos = match.end()
                append(_fast_token(match))
                continue
            self.pos = pos
            token = self._next(False)
            append(token)
            if token.kind is TokenKind.EOF:
                return tokens
            pos = self.pos

    def _next(self, literal_array: bool) -> Token:
        """The general case: every token kind, comments, errors, literal-array mode, EOF."""
        source = self.source
        pos = _SEPARATORS.match(source, self.pos).end()
        length = len(source)
        while pos < length and source[pos] == '"':
            match = _COMMENT.match(source, pos)
            if match is None:
                self.pos = length
                return _error(
                    source, pos, length,
                    "unterminated comment: expected '\"' to close the comment started at "
                    + _where(source, pos),
                    "'\"' closing the comment", length, True,
                )
            if self.keep_comments:
                self.comments.append(
                    Token(TokenKind.COMMENT, pos, match.end(), match.group(), match.group()[1:-1])
                )
            pos = _SEPARATORS.match(source, match.end()).end()
        if pos >= length:
            self.pos = length
            return Token(TokenKind.EOF, length, length, "")
        char = source[pos]
        cls = _CLASS.get(char)
        if cls is None and char >= "\u0100" and char.isalpha():
            cls = _ALPHA
        if cls == _ALPHA:
            token = self._name(pos, literal_array)
        elif cls == _DIGIT or (
            char == "-" and pos + 1 < length and "0" <= source[pos + 1] <= "9"
        ):
            token = self._number(pos)
        elif cls == _SPECIAL:
            if char == ":" and pos + 1 < length and source[pos + 1] == "=":
                token = Token(TokenKind.ASSIGN, pos, pos + 2, ":=")
            else:
                token = Token(_SPECIAL_KINDS[char], pos, pos + 1, char)
        elif cls == _BINARY:
            end = _BINARY_RUN.match(source, pos).end()
            text = source[pos:end]
            if literal_array:
                token = Token(TokenKind.SYMBOL, pos, end, text, SymbolLiteral(text))
            else:
                token = Token(TokenKind.BINARY, pos, end, text)
        elif cls == _QUOTE:
            token = self._string(pos)
        elif cls == _HASH:
            token = self._hash(pos)
        elif cls == _DOLLAR:
            if pos + 1 >= length:
                token = _error(
                    source, pos, length, "expected a character after '$', found end of input",
                    "a character after '$'", length, True,
                )
            else:
                token = Token(
                    TokenKind.CHARACTER, pos, pos + 2, source[pos : pos + 2],
                    CharacterLiteral(source[pos + 1]),
                )
        else:
            token = _error(
                source, pos, pos + 1, f"unknown character {char!r} (U+{ord(char):04X})",
                "a valid token", pos, False,
            )
        self.pos = token.stop
        return token

    def _name(self, pos: int, literal_array: bool) -> Token:
        source = self.source
        if literal_array:
            end = _symbol_end(source, pos)
            text = source[pos:end]
            if text in ("true", "false", "nil"):
                return Token(TokenKind.IDENTIFIER, pos, end, text)
            return Token(TokenKind.SYMBOL, pos, end, text, SymbolLiteral(text))
        end = _name_end(source, pos)
        if end < len(source) and source[end] == ":" and source[end + 1 : end + 2] != "=":
            return Token(TokenKind.KEYWORD, pos, end + 1, source[pos : end + 1])
        return Token(TokenKind.IDENTIFIER, pos, end, source[pos:end])

    def _number(self, pos: int) -> Token:
        source = self.source
        try:
            value, end = scan_number(source, pos)
        except NumberError as problem:
            return _error(
                source, pos, max(problem.stop, pos + 1), problem.message, problem.expected,
                problem.offset, problem.incomplete,
            )
        return Token(TokenKind.NUMBER, pos, end, source[pos:end], value)

    def _string(self, pos: int, token_start: int | None = None, symbol: bool = False) -> Token:
        source = self.source
        start = pos if token_start is None else token_start
        match = _STRING.match(source, pos)
        if match is None:
            what = "symbol" if symbol else "string"
            return _error(
                source, start, len(source),
                f"unterminated {what}: expected \"'\" to close the {what} started at "
                + _where(source, start),
                "\"'\" closing the " + what, len(source), True,
            )
        text = match.group()[1:-1].replace("''", "'")
        if symbol:
            return Token(
                TokenKind.SYMBOL, start, match.end(), source[start : match.end()],
                SymbolLiteral(text),
            )
        return Token(TokenKind.STRING, start, match.end(), match.group(), text)

    def _hash(self, start: int) -> Token:
        source = self.source
        length = len(source)
        pos = start + 1
        while pos < length and source[pos] == "#":  # Pharo accepts ##foo as #foo
            pos += 1
        char = source[pos] if pos < length else ""
        if char and is_letter(char):
            end = _symbol_end(source, pos)
            return Token(
                TokenKind.SYMBOL, start, end, source[start:end], SymbolLiteral(source[pos:end])
            )
        if char and char in BINARY_CHARS:
            end = _BINARY_RUN.match(source, pos).end()
            return Token(
                TokenKind.SYMBOL, start, end, source[start:end], SymbolLiteral(source[pos:end])
            )
        if char == "'":
            return self._string(pos, start, symbol=True)
        if char == "(":
            return Token(TokenKind.LITERAL_ARRAY, start, pos + 1, source[start : pos + 1])
        if char == "[":
            return Token(TokenKind.BYTE_ARRAY, start, pos + 1, source[start : pos + 1])
        found = repr(char) if char else "end of input"
        return _error(
            source, start, pos, f"expected a symbol or a literal array after '#', found {found}",
            "a symbol, '(' or '[' after '#'", pos, not char,
        )


def _where(source: str, offset: int) -> str:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _error(
    source: str, start: int, stop: int, message: str, expected: str, offset: int,
    incomplete: bool,
) -> Token:
    return Token(
        TokenKind.ERROR, start, stop, source[start:stop],
        ScanError(message, expected, offset, incomplete),
    )


def tokenize(source: str, *, comments: bool = False) -> list[Token]:
    """All tokens of `source`, ending with EOF; never raises.

    Problems (an unterminated string, an unknown character...) appear as ERROR tokens in place,
    and scanning goes on after them. Inside `#( ... )` words and binary runs are scanned as
    symbols, as the parser would see them. With `comments=True`, COMMENT tokens are included,
    in source order.
    """
    scanner = Scanner(source, keep_comments=comments)
    tokens: list[Token] = []
    depth = 0  # literal-array nesting: parentheses opened since the outermost `#(`
    while True:
        token = scanner.next(depth > 0)
        tokens.append(token)
        kind = token.kind
        if kind is TokenKind.EOF:
            break
        if kind is TokenKind.LITERAL_ARRAY or (depth and kind is TokenKind.LPAREN):
            depth += 1
        elif depth and kind is TokenKind.RPAREN:
            depth -= 1
    if comments and scanner.comments:
        tokens.extend(scanner.comments)
        tokens.sort(key=lambda token: (token.start, token.kind is TokenKind.EOF))
    return tokens
