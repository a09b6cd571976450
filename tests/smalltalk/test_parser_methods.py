"""Method syntax: patterns, arguments, pragmas (before/after temporaries), body; and spans."""

from __future__ import annotations

from fractions import Fraction

import pytest

from stui_trio.smalltalk.ast import (
    ArrayNode,
    AssignmentNode,
    BlockNode,
    CascadeNode,
    CharacterLiteral,
    LiteralNode,
    MessageNode,
    MethodNode,
    ReturnNode,
    ScaledDecimalLiteral,
    SequenceNode,
    SymbolLiteral,
    VariableNode,
)
from stui_trio.smalltalk.parser import parse_doit, parse_expression, parse_method
from stui_trio.smalltalk.parser.dump import dump

PATTERNS = [
    ("foo ^ 1", "foo", ()),
    ("foo", "foo", ()),
    ("+ other ^ self plus: other", "+", ("other",)),
    ("-> x", "->", ("x",)),
    ("| other", "|", ("other",)),
    ("at: i put: v ^ v", "at:put:", ("i", "v")),
    ("with:with:with: a", None, None),  # not a pattern: keywords need arguments
    ("true ^ 1", "true", ()),  # Pharo allows a method named #true
    ("value: _x", "value:", ("_x",)),
]


@pytest.mark.parametrize(("source", "selector", "arguments"), PATTERNS)
def test_method_pattern(source: str, selector: str | None, arguments) -> None:
    if selector is None:
        from stui_trio.smalltalk.parser import SmalltalkSyntaxError

        with pytest.raises(SmalltalkSyntaxError):
            parse_method(source)
        return
    method = parse_method(source)
    assert method.selector == selector
    assert tuple(arg.name for arg in method.arguments) == arguments
    assert method.source == source
    assert (method.start, method.stop) == (0, len(source))


def test_keyword_pattern_spans() -> None:
    source = "at: index put: value\n\t^ items at: index put: value"
    method = parse_method(source)
    assert [source[a:b] for a, b in method.selector_parts] == ["at:", "put:"]
    assert [(arg.name, source[arg.start : arg.stop]) for arg in method.arguments] == [
        ("index", "index"), ("value", "value"),
    ]
    assert dump(method) == "(^ (items at:put: index value))"


PRAGMAS = [
    ("foo <primitive: 'name'> ^ 1", [("primitive:", ("name",))]),
    ("foo <primitive: 60> ^ 1", [("primitive:", (60,))]),
    ("foo <primitive: 60 error: ec> ^ 1", [("primitive:error:", (60, "ec"))]),
    ("foo <category: 'accessing'>", [("category:", ("accessing",))]),
    ("foo <a> <b: 1 c: #d>", [("a", ()), ("b:c:", (1, SymbolLiteral("d")))]),
    ("foo | t | <a> ^ t", [("a", ())]),
    ("foo <a> | t | <b> ^ t", [("a", ()), ("b", ())]),
    ("foo <x: #(1 $a) y: #[1 2] z: true w: nil v: -1.5s2>",
     [("x:y:z:w:v:", ((1, CharacterLiteral("a")), b"\x01\x02", True, None,
                       ScaledDecimalLiteral(Fraction(-3, 2), 2)))]),
    ("foo < + 1>", [("+", (1,))]),  # `<+` would scan as one binary selector, as in Pharo
    ("foo <script: 'self new open'> ^ self", [("script:", ("self new open",))]),
    ("foo <x: 'a'> <y>", [("x:", ("a",)), ("y", ())]),
    ("foo <x: $>>", [("x:", (CharacterLiteral(">"),))]),
]


@pytest.mark.parametrize("source", ["foo <+ 1>", "foo <x: 'a'><y>"])
def test_glued_pragma_brackets_scan_as_binary_selectors_like_pharo(source: str) -> None:
    from stui_trio.smalltalk.parser import SmalltalkSyntaxError

    with pytest.raises(SmalltalkSyntaxError):
        parse_method(source)


@pytest.mark.parametrize(("source", "expected"), PRAGMAS)
def test_pragmas(source: str, expected) -> None:
    method = parse_method(source)
    assert [(p.selector, p.arguments) for p in method.pragmas] == expected
    for pragma in method.pragmas:
        text = source[pragma.start : pragma.stop]
        assert text.startswith("<") and text.endswith(">")


def test_method_temporaries_and_body() -> None:
    source = "foo\n\t| a b |\n\ta := 1.\n\tb := a + 1.\n\t^ b"
    method = parse_method(source)
    assert [t.name for t in method.temporaries] == ["a", "b"]
    assert dump(method) == "| a b | (:= a 1). (:= b (a + 1)). (^ b)"
    assert source[method.body.start : method.body.stop] == source[5:]


def test_empty_method_body() -> None:
    method = parse_method("foo")
    assert method.body.statements == () and method.body.temporaries == ()
    assert (method.body.start, method.body.stop) == (3, 3)


def test_statements_after_return_are_kept() -> None:
    # Pharo's RBParser marks them "Unreachable statement" (a warning) and compiles them.
    assert dump(parse_method("method: asd  ^ asd. n")) == "(^ asd). n"


REAL_PHARO_METHODS = [
    # from src/Kernel/Integer.class.st and friends (Pharo, MIT licence)
    """isProbablyPrime
	"See isProbablyPrimeWithK:andQ: for the algoritm description."
	| k q |
	self <= 1 ifTrue: [ ^ false ].
	self even ifTrue: [ ^ self = 2 ].
	"Factor self into (2 raisedTo: k) * q + 1, where q odd"
	q := self bitShift: -1.
	k := q lowBit.
	q := q bitShift: 1 - k.
	"Repeat the probabilistic until false (the probability of false negative is null)
	or until probability is very low."
	25 timesRepeat: [ (self isProbablyPrimeWithK: k andQ: q) ifFalse: [ ^ false ] ].
	"The probability of false positive after 25 iterations is less than
	(1/4 raisedTo: 25) < 1.0e-15"
	^ true""",
    """printOn: aStream base: base nDigits: nDigits
	<primitive: 'primDigitPrint' module: 'LargeIntegers'>
	| num |
	num := self abs.
	self negative ifTrue: [aStream nextPut: $-].
	aStream nextPutAll: (num printStringBase: base) ; yourself.
	^ #(1 $a 'b' #c #(nested 2r101) #[0 255]) , { base. nDigits }""",
]


@pytest.mark.parametrize("source", REAL_PHARO_METHODS)
def test_real_pharo_methods_parse_with_consistent_spans(source: str) -> None:
    method = parse_method(source)
    _check_spans(method, source)


def _children(node):
    if isinstance(node, MethodNode):
        return [*node.arguments, node.body]
    if isinstance(node, SequenceNode):
        return [*node.temporaries, *node.statements]
    if isinstance(node, MessageNode):
        return [node.receiver, *node.arguments]
    if isinstance(node, CascadeNode):
        return [node.receiver, *(arg for m in node.messages for arg in m.arguments)]
    if isinstance(node, AssignmentNode):
        return [node.variable, node.value]
    if isinstance(node, ReturnNode):
        return [node.value]
    if isinstance(node, BlockNode):
        return [*node.arguments, node.body]
    if isinstance(node, ArrayNode):
        return list(node.statements)
    return []


def _check_spans(node, source: str) -> None:
    assert 0 <= node.start <= node.stop <= len(source)
    for child in _children(node):
        assert node.start <= child.start and child.stop <= node.stop, (node, child)
        _check_spans(child, source)
    if isinstance(node, VariableNode):
        assert source[node.start : node.stop] == node.name
    if isinstance(node, MessageNode):
        parts = [source[a:b] for a, b in node.selector_parts]
        assert "".join(parts) == node.selector


SPANS = [
    # (source, path to a node, the node's text)
    ("3 + 4 * 2", (), "3 + 4 * 2"),
    ("3 + 4 * 2", ("receiver",), "3 + 4"),
    ("(3 + 4) * 2", ("receiver",), "(3 + 4)"),
    ("((x))  foo", ("receiver",), "((x))"),
    ("a at: 1 put: 2", ("arguments", 1), "2"),
    ("x := y := 3", ("value",), "y := 3"),
    ("[:a | a]", ("body",), "a"),
    ("[:a | | t | t]", ("body",), "| t | t"),
    ("{1. 2}", ("statements", 1), "2"),
    ("Transcript show: 'a'; cr", ("messages", 0), "Transcript show: 'a'"),
    ("Transcript show: 'a'; cr", ("messages", 1), "cr"),
    ("x foo; bar: 1 + 2", ("messages", 1), "bar: 1 + 2"),
    ("#(1 2) size", ("receiver",), "#(1 2)"),
    ("x - -2", ("arguments", 0), "-2"),
    ("x -2", ("arguments", 0), "2"),
    ("x foo \"c\" bar", (), "x foo \"c\" bar"),
]


@pytest.mark.parametrize(("source", "path", "text"), SPANS)
def test_span(source: str, path: tuple, text: str) -> None:
    node = parse_expression(source)
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, step)
    assert source[node.start : node.stop] == text


def test_selector_parts_of_sends() -> None:
    source = "a at: 1 put: 2. b + c. d foo"
    sends = parse_doit(source).body.statements
    assert [[source[x:y] for x, y in send.selector_parts] for send in sends] == [
        ["at:", "put:"], ["+"], ["foo"],
    ]


def test_return_and_doit_spans() -> None:
    source = "  | a |  a := 1.\n  ^ a  "
    doit = parse_doit(source)
    assert (doit.start, doit.stop) == (0, len(source))
    ret = doit.body.statements[-1]
    assert isinstance(ret, ReturnNode) and source[ret.start : ret.stop] == "^ a"
    assert source[doit.body.start : doit.body.stop] == "| a |  a := 1.\n  ^ a"


def test_literal_nodes_for_named_literals() -> None:
    node = parse_expression("nil")
    assert isinstance(node, LiteralNode) and node.value is None
