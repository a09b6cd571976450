"""The inline fast paths of common sends: the type-checked Python a send compiles to first.

`CodeGen.send` builds the generic send (`(_C(rcv).mc.get(k) or _L(rcv, k))(rcv, ...)`, a
method-cache lookup and a call) and asks `fast_path` whether the selector has a cheaper form:
small-integer arithmetic and comparisons, `==`/`~~`, `isNil`/`notNil`, `class`, Block
`value...`, and Array `at:`/`at:put:`. Each fast path checks the receiver's (and arguments')
Python type inline and falls back to the generic send, so semantics never change, only speed:
`fib` spends most of its time in exactly these sends.

`rcv` and `args` are atoms (`CodeGen.atom` spills anything else to a temporary), so
repeating them in a condition evaluates nothing twice.
"""

from __future__ import annotations

from stui_trio.smalltalk.compiler.inline import is_const_expr, is_int_literal

INLINE_INT_OPS = {"+": "+", "-": "-", "*": "*", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
                  "=": "==", "~=": "!=", "//": "//", "\\\\": "%"}


def fast_path(rcv: str, selector: str, args: list[str], generic: str) -> str | None:
    """The expression for `rcv selector args` with its inline fast path, or None if the
    selector has none (then the generic send is all there is)."""
    if len(args) == 1 and selector in INLINE_INT_OPS:
        a = args[0]
        op = INLINE_INT_OPS[selector]
        conds = []
        if not is_int_literal(rcv):
            conds.append(f"type({rcv}) is int")
        if not is_int_literal(a):
            conds.append(f"type({a}) is int")
        if selector in ("//", "\\\\"):
            if is_int_literal(a) and int(a) == 0:
                return None
            if not is_int_literal(a):
                conds.append(a)
        if selector == "*":
            conds.append(f"-0x40000000 < {rcv} < 0x40000000")
            conds.append(f"-0x40000000 < {a} < 0x40000000")
        if not conds:
            return f"({rcv} {op} {a})"
        return f"(({rcv} {op} {a}) if {' and '.join(conds)} else {generic})"
    if selector in ("==", "~~") and len(args) == 1:
        a = args[0]
        same = (f"_ideq({rcv}, {a})" if is_int_literal(rcv) or is_int_literal(a)
                else f"({rcv} is {a} or _ideq({rcv}, {a}))")
        return same if selector == "==" else f"(not {same})"
    if selector in ("isNil", "notNil") and is_int_literal(rcv):
        return "False" if selector == "isNil" else "True"
    if selector == "isNil":
        return f"({rcv} is None)"
    if selector == "notNil":
        return f"({rcv} is not None)"
    if selector == "class":
        return f"_C({rcv})"
    if selector in ("value", "value:", "value:value:", "value:value:value:"):
        return (f"({rcv}.fn({', '.join(args)}) if type({rcv}) is _Blk and {rcv}.nargs == "
                f"{len(args)} else {generic})")
    if selector == "at:" and not is_const_expr(rcv):
        i = args[0]
        return (f"({rcv}[{i} - 1] if type({rcv}) is list and type({i}) is int and "
                f"0 < {i} <= len({rcv}) else {generic})")
    if selector == "at:put:" and not is_const_expr(rcv):
        i, v = args
        return (f"(_aput({rcv}, {i}, {v}) if type({rcv}) is list and type({i}) is int and "
                f"0 < {i} <= len({rcv}) else {generic})")
    return None
