"""Name resolution for the compiler: which Python name or access path a Smalltalk name becomes.

A method compiles to one Python function and each non-inlined block to a nested `def`, so
Smalltalk's lexical scoping maps onto Python closures. Every declared variable (argument or
temporary, including those of inlined blocks) gets a Python name unique within the method
(`v_x`, `v_x_2`...), so an inlined block's temporary never collides with an outer one. A block
that assigns a variable of an enclosing function declares it `nonlocal`.

Names that are not declared resolve, in order, to instance variables (`self.slots[i]`), class
variables (a dict shared by the class and its metaclass), and globals (the image's table, read
at run time so redefinitions are seen). In a doit, undeclared names are workspace bindings
(`_ws`), unless they name an image global.
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.define
class FunctionScope:
    """One Python function being generated: the method/doit itself or a real block."""

    parent: FunctionScope | None
    is_block: bool
    locals: set[str] = attrs.field(factory=set)  # python names bound in this function
    nonlocals: set[str] = attrs.field(factory=set)


@attrs.define
class LexScope:
    """A Smalltalk lexical scope (method, block, or inlined block) mapping names to Python."""

    parent: LexScope | None
    function: FunctionScope
    names: dict[str, str] = attrs.field(factory=dict)
    readonly: set[str] = attrs.field(factory=set)  # arguments

    def find(self, name: str) -> tuple[str, LexScope] | None:
        s: LexScope | None = self
        while s is not None:
            if name in s.names:
                return s.names[name], s
            s = s.parent
        return None


@attrs.define
class ClassContext:
    """What the compiler needs to know about the class a method is compiled in."""

    cls: Any  # STClass or None for doits
    ivars: list[str]
    classvar_owner: dict[str, Any]  # class variable name -> its dict
