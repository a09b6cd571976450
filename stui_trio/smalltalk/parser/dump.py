"""A compact, one-line rendering of ASTs, for tests, debugging and error reports.

`dump(parse_expression("a at: 1 put: 3 + 4 factorial"))` gives
`(a at:put: 1 (3 + (4 factorial)))`: every send in parentheses as `(receiver selector args...)`,
so precedence is explicit. The other forms:

    (:= x value)            assignment          (^ value)            return
    (cascade r (m a) (n))   cascade parts       (block [a b] [t] s1 s2)  block: args, temps
    (array s1 s2)           { s1. s2 }          #(1 #foo (2) #[1 2])     literal arrays
    | t | s1. s2            a sequence (doit, method body)

Literals print as Smalltalk would write them (`'it''s'`, `#foo`, `#'a b'`, `$a`, `1.5`, `nil`),
except ScaledDecimals, which print as `(num/den)sScale` to show the exact value.
"""

from __future__ import annotations

from fractions import Fraction

from stui_trio.smalltalk.ast import (
    ArrayNode,
    AssignmentNode,
    BlockNode,
    CascadeNode,
    CharacterLiteral,
    DoItNode,
    LiteralArrayNode,
    LiteralNode,
    MessageNode,
    MethodNode,
    Node,
    ReturnNode,
    ScaledDecimalLiteral,
    SequenceNode,
    SymbolLiteral,
    VariableNode,
)
from stui_trio.smalltalk.parser.scanner import BINARY_CHARS


def dump(node: Node) -> str:
    if isinstance(node, VariableNode):
        return node.name
    if isinstance(node, LiteralNode):
        return literal(node.value)
    if isinstance(node, MessageNode):
        return "(" + " ".join([dump(node.receiver), *_message(node)]) + ")"
    if isinstance(node, CascadeNode):
        parts = ["(" + " ".join(_message(message)) + ")" for message in node.messages]
        return f"(cascade {dump(node.receiver)} {' '.join(parts)})"
    if isinstance(node, AssignmentNode):
        return f"(:= {dump(node.variable)} {dump(node.value)})"
    if isinstance(node, ReturnNode):
        return f"(^ {dump(node.value)})"
    if isinstance(node, BlockNode):
        args = " ".join(arg.name for arg in node.arguments)
        temps = " ".join(temp.name for temp in node.body.temporaries)
        statements = "".join(" " + dump(s) for s in node.body.statements)
        return f"(block [{args}] [{temps}]{statements})"
    if isinstance(node, ArrayNode):
        return "(array" + "".join(" " + dump(s) for s in node.statements) + ")"
    if isinstance(node, LiteralArrayNode):
        return literal(node.value)
    if isinstance(node, SequenceNode):
        names = " ".join(temp.name for temp in node.temporaries)
        temps = f"| {names} | " if node.temporaries else ""
        return temps + ". ".join(dump(s) for s in node.statements)
    if isinstance(node, (DoItNode, MethodNode)):
        return dump(node.body)
    raise TypeError(f"not an AST node: {node!r}")


def _message(node: MessageNode) -> list[str]:
    return [node.selector, *(dump(argument) for argument in node.arguments)]


def literal(value: object, nested: bool = False) -> str:
    """Smalltalk source text for a literal value (inside an array when `nested`)."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, SymbolLiteral):
        name = value.name
        plain = name and (name[0].isalpha() or name[0] == "_") and all(
            c.isalnum() or c in "_:" for c in name
        )
        return "#" + name if plain or _is_binary(name) else "#'" + name.replace("'", "''") + "'"
    if isinstance(value, CharacterLiteral):
        return "$" + value.char
    if isinstance(value, ScaledDecimalLiteral):
        fraction = Fraction(value.value)
        return f"({fraction.numerator}/{fraction.denominator})s{value.scale}"
    if isinstance(value, tuple):
        inner = " ".join(literal(item, True) for item in value)
        return f"({inner})" if nested else f"#({inner})"
    if isinstance(value, bytes):
        return "#[" + " ".join(str(b) for b in value) + "]"
    return repr(value)


def _is_binary(name: str) -> bool:
    return bool(name) and all(c in BINARY_CHARS for c in name)
