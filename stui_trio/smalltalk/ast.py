"""The Smalltalk abstract syntax tree: what the parser produces and the compiler consumes.

Every node is a small frozen attrs value carrying its source span (`start`, `stop`: character
offsets into the source, `stop` exclusive), so syntax errors, completion and debugger stacks
can point at the text. Line and column are derived from offsets with `position_of`. A
parenthesized expression's span includes its parentheses; `stui_trio.smalltalk.parser`
documents the other span conventions (cascade parts, empty sequences).

The tree mirrors Pharo's RB nodes, simplified:

    MethodNode(selector, arguments, temporaries, pragmas, body)
    DoItNode(temporaries, body)                 a workspace expression sequence
    SequenceNode(temporaries, statements)       statements of a method, doit or block
    ReturnNode(value)                           ^ expr
    AssignmentNode(variable, value)             a := b := expr
    CascadeNode(receiver, messages)             r m1; m2; m3   (messages share receiver)
    MessageNode(receiver, selector, arguments)  unary, binary or keyword send
    VariableNode(name)                          self, super, thisContext, a temp, a global ...
    LiteralNode(value)                          numbers, strings, symbols, characters, nil ...
    LiteralArrayNode(elements)                  #( ... ) and #[ ... ] (is_byte_array)
    ArrayNode(statements)                       { a. b. c }
    BlockNode(arguments, temporaries, body)     [:a :b | | t | ... ]
"""

from __future__ import annotations

from fractions import Fraction

import attrs


@attrs.frozen
class ScaledDecimalLiteral:
    """`1.5s2`: an exact rational value shown with `scale` decimals."""

    value: Fraction
    scale: int


@attrs.frozen
class SymbolLiteral:
    """`#foo`, `#at:put:`, `#+`, `#'a b'`: kept distinct from strings."""

    name: str


@attrs.frozen
class CharacterLiteral:
    """`$a`."""

    char: str


# The Python value a LiteralNode holds: None (nil), bool, int, float, str (a string literal),
# ScaledDecimalLiteral, SymbolLiteral, CharacterLiteral. Literal arrays hold these, nested
# tuples and bytes (LiteralArrayNode.value).
# - Never a Fraction: Smalltalk has no fraction literal, and Pharo's NumberParser turns an
#   integer with a negative exponent into a Float (`1e-2` is 0.01) unless the result is whole
#   (`100e-2` is the Integer 1); `2r1e4` is 16 (the exponent counts in the radix).
# - A float may be inf/-inf (`1.0e400`, as Pharo's Float infinity) or -0.0 (`-0.0`): emit float
#   constants without going through repr().
# - int is unbounded (`1e100`, `16r1F`, `36rZZ`); LargePositiveInteger is the runtime's business.
LiteralValue = (None | bool | int | float | str | ScaledDecimalLiteral | SymbolLiteral
                | CharacterLiteral | tuple | bytes)


@attrs.frozen
class Node:
    start: int = attrs.field(kw_only=True)
    stop: int = attrs.field(kw_only=True)


@attrs.frozen
class LiteralNode(Node):
    value: LiteralValue


@attrs.frozen
class LiteralArrayNode(Node):
    """`#(1 $a 'b' #c foo (1 2) #[1 2] true)`; bare words inside are symbols, except
    nil/true/false. `value` is a tuple of LiteralValue (nested tuples for nested arrays,
    `bytes` for a nested byte array). For `#[1 2 3]`, is_byte_array is True and value is bytes."""

    value: tuple | bytes
    is_byte_array: bool = False


@attrs.frozen
class VariableNode(Node):
    name: str


@attrs.frozen
class AssignmentNode(Node):
    variable: VariableNode
    value: Node


@attrs.frozen
class MessageNode(Node):
    """A send. For cascade parts, `receiver` is the cascade's receiver node (same object)."""

    receiver: Node
    selector: str
    arguments: tuple[Node, ...] = ()
    # Offsets of each selector keyword part (or the unary/binary selector), for completion.
    selector_parts: tuple[tuple[int, int], ...] = ()

    @property
    def is_super_send(self) -> bool:
        return isinstance(self.receiver, VariableNode) and self.receiver.name == "super"


@attrs.frozen
class CascadeNode(Node):
    receiver: Node
    messages: tuple[MessageNode, ...]


@attrs.frozen
class ArrayNode(Node):
    """`{ a. b. c }`: a dynamic array of the statements' values."""

    statements: tuple[Node, ...]


@attrs.frozen
class ReturnNode(Node):
    value: Node


@attrs.frozen
class SequenceNode(Node):
    temporaries: tuple[VariableNode, ...]
    statements: tuple[Node, ...]


@attrs.frozen
class BlockNode(Node):
    arguments: tuple[VariableNode, ...]
    body: SequenceNode


@attrs.frozen
class Pragma(Node):
    """`<primitive: 'name'>`, `<category: 'accessing'>`: keyword and literal arguments."""

    selector: str
    arguments: tuple[LiteralValue, ...]


@attrs.frozen
class MethodNode(Node):
    selector: str
    arguments: tuple[VariableNode, ...]
    pragmas: tuple[Pragma, ...]
    body: SequenceNode
    source: str
    # Offsets of each selector part of the pattern (`at:` and `put:` of `at: i put: v`).
    selector_parts: tuple[tuple[int, int], ...] = ()

    @property
    def temporaries(self) -> tuple[VariableNode, ...]:
        return self.body.temporaries


@attrs.frozen
class DoItNode(Node):
    """A workspace evaluation: temporaries and statements, no selector."""

    body: SequenceNode
    source: str


def position_of(source: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of a character offset in `source`."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column
