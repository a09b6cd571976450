"""Inlining of control-flow sends, as Pharo's compiler does (mixed into `CodeGen`).

When the block arguments are literal blocks, `ifTrue:` & co., `and:`/`or:`, `whileTrue:` &
co., `repeat`, `timesRepeat:`, `to:do:`/`to:by:do:` (literal step) and the `ifNil:` family
become Python `if`/`while`/`for` statements around the blocks' statements, which run in the
enclosing function (their temporaries get fresh Python names, their `^` returns from the
enclosing method or block). A receiver that is not a Boolean where one is needed calls `_mb`,
which signals NonBooleanReceiver. Anything else is left to a real send (answer None).
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk import ast as A
from stui_trio.smalltalk.compiler.scope import LexScope


def is_block(node: Any, nargs: int = 0) -> bool:
    return isinstance(node, A.BlockNode) and len(node.arguments) == nargs


def is_int_literal(e: str) -> bool:
    return e.lstrip("-").isdigit()


def is_const_expr(e: str) -> bool:
    """A generated expression that is a constant (safe to repeat, no effect)."""
    return e in ("None", "True", "False") or is_int_literal(e) or (
        e.startswith("_k") and e[2:].isdigit())


class InliningMixin:
    """Needs from the host: atom, expr, emit, fresh, declare, nonlocal_return, indent,
    offset."""

    # ---- inlining ---------------------------------------------------------------------
    def cond_atom(self, node: A.Node, scope: LexScope) -> str:
        t = self.atom(node, scope, [])
        if is_int_literal(t) or (t.startswith("_k") and t[2:].isdigit()):
            v = self.fresh()
            self.emit(f"{v} = {t}")
            return v
        return t

    def try_inline(self, node: A.MessageNode, scope: LexScope) -> str | None:
        s = node.selector
        args = node.arguments
        if node.is_super_send:
            return None
        if s in ("ifTrue:", "ifFalse:") and is_block(args[0]):
            t = self.cond_atom(node.receiver, scope)
            res = self.fresh()
            self.emit(f"{res} = None")
            self.emit(f"if {t} is {'True' if s == 'ifTrue:' else 'False'}:")
            self.inline_block(args[0], scope, res)
            self.emit(f"elif {t} is not {'False' if s == 'ifTrue:' else 'True'}:")
            self.emit(f"    {res} = _mb({t})")
            return res
        if s in ("ifTrue:ifFalse:", "ifFalse:ifTrue:") and is_block(args[0]) \
                and is_block(args[1]):
            t = self.cond_atom(node.receiver, scope)
            res = self.fresh()
            first, second = ("True", "False") if s == "ifTrue:ifFalse:" else ("False", "True")
            self.emit(f"if {t} is {first}:")
            self.inline_block(args[0], scope, res)
            self.emit(f"elif {t} is {second}:")
            self.inline_block(args[1], scope, res)
            self.emit("else:")
            self.emit(f"    {res} = _mb({t})")
            return res
        if s in ("and:", "or:") and is_block(args[0]):
            t = self.cond_atom(node.receiver, scope)
            res = self.fresh()
            go, stop = ("True", "False") if s == "and:" else ("False", "True")
            self.emit(f"if {t} is {go}:")
            self.inline_block(args[0], scope, res)
            self.emit(f"elif {t} is {stop}:")
            self.emit(f"    {res} = {stop}")
            self.emit("else:")
            self.emit(f"    {res} = _mb({t})")
            return res
        if s in ("whileTrue:", "whileFalse:", "whileTrue", "whileFalse") \
                and is_block(node.receiver) and (not args or is_block(args[0])):
            want = "True" if s.startswith("whileTrue") else "False"
            other = "False" if want == "True" else "True"
            self.emit("while True:")
            self.indent += 1
            self.emit("if _P[0]: _poll()")
            c = self.fresh()
            self.inline_block(node.receiver, scope, c, nested=False)
            self.emit(f"if {c} is not {want}:")
            self.emit(f"    if {c} is {other}: break")
            self.emit(f"    _mb({c}); break")
            if args:
                self.inline_block(args[0], scope, None, nested=False)
            self.indent -= 1
            return "None"
        if s == "repeat" and is_block(node.receiver):
            self.emit("while True:")
            self.indent += 1
            self.emit("if _P[0]: _poll()")
            self.inline_block(node.receiver, scope, None, nested=False)
            self.indent -= 1
            return "None"
        if s == "timesRepeat:" and is_block(args[0]):
            n = self.atom(node.receiver, scope, [])
            self.emit(f"if type({n}) is not int: _mb({n})")
            self.emit(f"for _ in range({n}):")
            self.indent += 1
            self.emit("if _P[0]: _poll()")
            self.inline_block(args[0], scope, None, nested=False)
            self.indent -= 1
            return n
        if s in ("to:do:", "to:by:do:") and is_block(args[-1], 1):
            step_node = args[1] if s == "to:by:do:" else None
            if step_node is not None and not (isinstance(step_node, A.LiteralNode)
                                              and type(step_node.value) is int
                                              and step_node.value != 0):
                return None
            step = step_node.value if step_node is not None else 1
            start = self.atom(node.receiver, scope, list(args))
            stop = self.atom(args[0], scope, [args[-1]])
            blk: A.BlockNode = args[-1]
            inner = LexScope(scope, scope.function)
            var = self.declare(inner, blk.arguments[0].name, readonly=True)
            cmp = "<=" if step > 0 else ">="
            self.emit(f"if type({start}) is int and type({stop}) is int:")
            self.emit(f"    _it = range({start}, {stop} {'+' if step > 0 else '-'} 1, {step})")
            self.emit("else:")
            self.emit(f"    _it = _numrange({start}, {stop}, {step}, {cmp!r})")
            self.emit(f"for {var} in _it:")
            self.indent += 1
            self.emit("if _P[0]: _poll()")
            self.inline_block(blk, inner, None, nested=False, args_bound=True)
            self.indent -= 1
            return start
        if s in ("ifNil:", "ifNotNil:", "ifNil:ifNotNil:", "ifNotNil:ifNil:"):
            return self.inline_nil(node, scope)
        return None

    def inline_nil(self, node: A.MessageNode, scope: LexScope) -> str | None:
        s, args = node.selector, node.arguments
        parts = s.split(":")[:-1]
        for kw, a in zip(parts, args, strict=True):
            if not isinstance(a, A.BlockNode):
                return None
            if kw == "ifNil" and a.arguments:
                return None
            if kw == "ifNotNil" and len(a.arguments) > 1:
                return None
        t = self.cond_atom(node.receiver, scope)
        res = self.fresh()
        self.emit(f"{res} = {t}")
        for i, (kw, a) in enumerate(zip(parts, args, strict=True)):
            cond = f"{t} is None" if kw == "ifNil" else f"{t} is not None"
            self.emit(f"{'if' if i == 0 else 'elif'} {cond}:")
            if kw == "ifNotNil" and a.arguments:
                inner = LexScope(scope, scope.function)
                v = self.declare(inner, a.arguments[0].name, readonly=True)
                self.emit(f"    {v} = {t}")
                self.inline_block(a, inner, res, args_bound=True)
            else:
                self.inline_block(a, scope, res)
        return res

    def inline_block(self, blk: A.BlockNode, scope: LexScope, res: str | None, *,
                     nested: bool = True, args_bound: bool = False) -> None:
        """Emit a literal block's statements in place; its value goes to `res`."""
        if nested:
            self.indent += 1
        inner = scope if args_bound else LexScope(scope, scope.function)
        for t in blk.body.temporaries:
            self.emit(f"{self.declare(inner, t.name)} = None")
        stmts = blk.body.statements
        if not stmts:
            if res is not None:
                self.emit(f"{res} = None")
            else:
                self.emit("pass")
        saved = self.offset
        for i, st in enumerate(stmts):
            self.offset = st.start
            if isinstance(st, A.ReturnNode):
                v = self.expr(st.value, inner)
                self.nonlocal_return(v, inner)
                break
            v = self.expr(st, inner)
            if i == len(stmts) - 1 and res is not None:
                self.emit(f"{res} = {v}")
            elif not v.isidentifier() and not is_const_expr(v):
                self.emit(v)
            elif i == len(stmts) - 1:
                self.emit("pass")
        self.offset = saved
        if nested:
            self.indent -= 1
