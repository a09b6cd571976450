"""The compiler: a method or doit AST to Python source, one Python function per activation.

Why generated Python: a Smalltalk activation then costs one Python call, locals are Python
locals, and CPython's own bytecode does the work a tree walker would do in Python. The output
for `fib ^ self < 2 ifTrue: [self] ifFalse: [(self - 1) fib + (self - 2) fib]` is roughly:

    def _make(_k0, _k1):
        def m(self):
            if _P[0]: _poll()
            _t1 = (self < 2) if type(self) is int else (_C(self).mc.get(_k0) or ...)(self, 2)
            if _t1 is True: return self
            ...

Rules kept everywhere:
- user text is never spliced into code: literals and selectors become constants `_kN` passed to
  the `_make` factory; identifiers are mangled (`v_name`), which is safe because Smalltalk
  identifiers are `[A-Za-z_][A-Za-z0-9_]*`.
- evaluation order is Smalltalk's (receiver, then arguments left to right): any non-atomic
  sub-expression is spilled to a fresh temporary (`_tN`) before the next one is generated.
- sends look up `class.mc` (the per-class cache; `_L` fills it, or answers a
  doesNotUnderstand: function). Small-integer arithmetic/comparisons, `==`, `isNil`, `class`,
  Array `at:`/`at:put:` and Block `value...` take an inline type-checked fast path first.
- `ifTrue:` & co., `and:`/`or:`, `whileTrue:` & co., `to:do:`, `to:by:do:`, `timesRepeat:`,
  `repeat` and the `ifNil:` family are inlined when their block arguments are literal blocks,
  as Pharo's compiler does; otherwise they are real sends. A non-Boolean receiver of an inlined
  conditional signals NonBooleanReceiver (Pharo's mustBeBoolean).
- every function polls the interrupt flag `_P[0]` at entry and on loop back-edges.
- `^` in a real block raises NonLocalReturn to the home method's marker.

Each generated line remembers the source offset of its statement (`linemap`) so error stacks
give Smalltalk line numbers.
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk import ast as A
from stui_trio.smalltalk.compiler.fastpaths import fast_path
from stui_trio.smalltalk.compiler.inline import InliningMixin, is_const_expr
from stui_trio.smalltalk.compiler.scope import ClassContext, FunctionScope, LexScope

SPECIAL_NAMES = {"nil": "None", "true": "True", "false": "False"}
RESERVED = {"self", "super", "thisContext", "nil", "true", "false"}


class CompileError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _assigned_names(node: Any) -> set[str]:
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.AssignmentNode):
            out.add(n.variable.name)
        for f in ("receiver", "value", "body"):
            v = getattr(n, f, None)
            if isinstance(v, A.Node):
                stack.append(v)
        for f in ("arguments", "statements", "messages"):
            v = getattr(n, f, None)
            if isinstance(v, tuple):
                stack.extend(x for x in v if isinstance(x, A.Node))
    return out


class CodeGen(InliningMixin):
    """Generates one module of Python source holding one `_make` factory."""

    def __init__(self, source: str, cctx: ClassContext, *, doit: bool,
                 global_names: set[str], literal: Any) -> None:
        self.source = source
        self.cctx = cctx
        self.doit = doit
        self.global_names = global_names
        self.literal = literal  # LiteralValue -> runtime object
        self.consts: list[Any] = []
        # (const index, parser value) of each literal: a cached doit rebuilds these per run
        self.literal_consts: list[tuple[int, Any]] = []
        self.const_ids: dict[tuple, str] = {}
        self.lines: list[str] = []
        self.linemap: list[int] = []
        self.indent = 1
        self.counter = 0
        self.offset = 0
        self.ws_assigned: set[str] = set()
        self.needs_home = False
        self.selector = "DoIt"  # the method's selector, for thisContext

    # ---- emission helpers -------------------------------------------------------------
    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)
        self.linemap.append(self.offset)

    def fresh(self, prefix: str = "_t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any, key: tuple | None = None) -> str:
        if key is not None and key in self.const_ids:
            return self.const_ids[key]
        name = f"_k{len(self.consts)}"
        self.consts.append(value)
        if key is not None:
            self.const_ids[key] = name
        return name

    def literal_const(self, value: Any) -> str:
        """A constant for a literal's runtime object (made anew for every doit run)."""
        name = self.const(self.literal(value))
        self.literal_consts.append((len(self.consts) - 1, value))
        return name

    def sel(self, selector: str) -> str:
        return self.const(selector, ("sel", selector))

    # ---- entry points -----------------------------------------------------------------
    def method(self, node: A.MethodNode, primitive: Any, prim_name: str | None) -> str:
        self.selector = node.selector
        fscope = FunctionScope(None, False)
        scope = LexScope(None, fscope)
        params = []
        for arg in node.arguments:
            params.append(self.declare(scope, arg.name, readonly=True))
        self.fscope_root = fscope
        body_lines_start = len(self.lines)
        self.indent = 2
        self.emit("if _P[0]: _poll()")
        if primitive is not None:
            pk = self.const(primitive)
            nk = self.const(prim_name)
            call = ", ".join(["self", *params])
            self.emit("try:")
            self.emit(f"    return {pk}({call})")
            self.emit("except _PF:")
            self.emit("    pass")
            self.emit("except _PYERR as _e:")
            self.emit(f"    return _primerr({nk}, _e)")
            if not node.body.statements:
                self.emit(f"return _primfail(self, {nk})")
        self.body(node.body, scope)
        return self.wrap(f"m_{_safe(node.selector)}", ["self", *params], body_lines_start)

    def doit_fn(self, node: A.DoItNode) -> str:
        fscope = FunctionScope(None, False)
        scope = LexScope(None, fscope)
        self.fscope_root = fscope
        start = len(self.lines)
        self.indent = 2
        self.emit("if _P[0]: _poll()")
        self.body(node.body, scope)
        return self.wrap("doit", ["self"], start)

    def wrap(self, name: str, params: list[str], start: int) -> str:
        body = self.lines[start:]
        bmap = self.linemap[start:]
        if self.needs_home:
            inner = ["        _home = [True]", "        try:"]
            inner += ["    " + ln for ln in body]
            inner += ["        except _NLR as _e:",
                      "            if _e.home is _home: return _e.value",
                      "            raise",
                      "        finally:",
                      "            _home[0] = False"]
            imap = [self.offset, self.offset, *bmap, *[self.offset] * 5]
            body, bmap = inner, imap
        consts = ", ".join([*(f"_k{i}" for i in range(len(self.consts))),
                            *(["_ws"] if self.doit else [])])
        head = [f"def _make({consts}):", f"    def {name}({', '.join(params)}):"]
        tail = [f"    return {name}"]
        self.lines = head + body + tail
        self.linemap = [0, 0, *bmap, 0]
        return "\n".join(self.lines) + "\n"

    # ---- scopes -----------------------------------------------------------------------
    def declare(self, scope: LexScope, name: str, readonly: bool = False) -> str:
        self.counter += 1
        py = f"v_{name}_{self.counter}"
        scope.names[name] = py
        scope.function.locals.add(py)
        if readonly:
            scope.readonly.add(name)
        return py

    # ---- statements -------------------------------------------------------------------
    def body(self, seq: A.SequenceNode, scope: LexScope) -> None:
        for t in seq.temporaries:
            self.emit(f"{self.declare(scope, t.name)} = None")
        stmts = seq.statements
        if not stmts:
            self.emit("return self" if not self.doit else "return None")
            return
        for i, st in enumerate(stmts):
            self.offset = st.start
            last = i == len(stmts) - 1
            if isinstance(st, A.ReturnNode):
                self.emit(f"return {self.expr(st.value, scope)}")
                return
            value = self.expr(st, scope)
            if last and self.doit:
                self.emit(f"return {value}")
            elif not value.isidentifier() and not is_const_expr(value):
                self.emit(value)
            if last and not self.doit:
                self.emit("return self")

    def block_fn(self, node: A.BlockNode, scope: LexScope) -> str:
        """Emit a nested def for a real block; answer the expression building the Block."""
        fscope = FunctionScope(scope.function, True)
        bscope = LexScope(scope, fscope)
        name = self.fresh("_b")
        params = [self.declare(bscope, a.name, readonly=True) for a in node.arguments]
        self.emit(f"def {name}({', '.join(params)}):")
        self.indent += 1
        decl_at = len(self.lines)
        self.emit("if _P[0]: _poll()")
        for t in node.body.temporaries:
            self.emit(f"{self.declare(bscope, t.name)} = None")
        stmts = node.body.statements
        if not stmts:
            self.emit("return None")
        for i, st in enumerate(stmts):
            self.offset = st.start
            if isinstance(st, A.ReturnNode):
                v = self.expr(st.value, bscope)
                self.nonlocal_return(v, bscope)
                break
            v = self.expr(st, bscope)
            if i == len(stmts) - 1:
                self.emit(f"return {v}")
            elif not v.isidentifier() and not is_const_expr(v):
                self.emit(v)
        if fscope.nonlocals:
            self.lines.insert(decl_at, "    " * self.indent
                              + f"nonlocal {', '.join(sorted(fscope.nonlocals))}")
            self.linemap.insert(decl_at, self.offset)
        self.indent -= 1
        src = self.const(_RawStr(self.source[node.start:node.stop]))
        return f"_B({name}, {len(node.arguments)}, {src})"

    def nonlocal_return(self, value: str, scope: LexScope) -> None:
        if scope.function.is_block:
            self.needs_home = True
            self.emit(f"if not _home[0]: return _bcr({value})")
            self.emit(f"raise _NLR(_home, {value})")
        else:
            self.emit(f"return {value}")

    # ---- expressions ------------------------------------------------------------------
    def atom(self, node: A.Node, scope: LexScope, later: list[A.Node]) -> str:
        """Generate `node` and make the result safe to reuse while `later` nodes run."""
        e = self.expr(node, scope)
        if is_const_expr(e) or e == "self":
            return e
        if e.isidentifier() and e.startswith("v_"):
            name = _var_of(e)
            hit = scope.find(name)
            if hit is not None and (name in hit[1].readonly
                                    or not any(name in _assigned_names(n) for n in later)):
                return e
        t = self.fresh()
        self.emit(f"{t} = {e}")
        return t

    def expr(self, node: A.Node, scope: LexScope) -> str:
        if isinstance(node, A.LiteralNode):
            return self.literal_expr(node.value)
        if isinstance(node, A.LiteralArrayNode):
            return self.literal_const(node.value if not node.is_byte_array
                                      else bytes(node.value))
        if isinstance(node, A.VariableNode):
            return self.read_var(node, scope)
        if isinstance(node, A.AssignmentNode):
            return self.assign(node, scope)
        if isinstance(node, A.MessageNode):
            return self.message(node, scope)
        if isinstance(node, A.CascadeNode):
            return self.cascade(node, scope)
        if isinstance(node, A.ArrayNode):
            parts = [self.atom(s, scope, list(node.statements[i + 1:]))
                     for i, s in enumerate(node.statements)]
            return "[" + ", ".join(parts) + "]"
        if isinstance(node, A.BlockNode):
            return self.block_fn(node, scope)
        if isinstance(node, A.ReturnNode):
            # `^` in expression position (e.g. `x ifTrue: [^1]` inlined): emitted as statement
            v = self.expr(node.value, scope)
            self.nonlocal_return(v, scope)
            return "None"
        if isinstance(node, A.SequenceNode):
            raise CompileError("unexpected sequence", node.start)
        raise CompileError(f"cannot compile {type(node).__name__}", node.start)

    def literal_expr(self, value: Any) -> str:
        if value is None or value is True or value is False:
            return repr(value)
        if type(value) is int and -(2**31) < value < 2**31:
            return repr(value)
        return self.literal_const(value)

    def read_var(self, node: A.VariableNode, scope: LexScope) -> str:
        name = node.name
        if name in SPECIAL_NAMES:
            return SPECIAL_NAMES[name]
        if name in ("self", "super"):
            return "self"
        if name == "thisContext":
            return self.this_context(scope)
        hit = scope.find(name)
        if hit is not None:
            return hit[0]
        kind = self.resolve_free(name)
        if kind[0] == "ivar":
            return f"self.slots[{kind[1]}]"
        if kind[0] == "cvar":
            return f"{kind[1]}[{self.const(name)}]"
        if kind[0] == "wsg":
            return f"_wsg(_ws, {self.const(name)})"
        if kind[0] == "ws":
            return f"_ws.get({self.const(name)})"
        return f"_SG.get({self.const(name)})"

    def this_context(self, scope: LexScope) -> str:
        """`thisContext`: a new Context describing the running activation (receiver, method
        class, selector, block or not). Activations are Python frames, so there is no sender
        chain to reify; the kernel's Context says so rather than inventing one."""
        owner = self.const(self.cctx.cls, ("cls",)) if self.cctx.cls is not None else "_C(self)"
        sel = self.const(self.literal(A.SymbolLiteral(self.selector)), ("ctxsel",))
        return (f"_STO(_SG['Context'], [self, {owner}, {sel}, "
                f"{scope.function.is_block!r}])")

    def resolve_free(self, name: str) -> tuple[str, Any]:
        if self.cctx.cls is not None:
            if name in self.cctx.ivars:
                return ("ivar", self.cctx.ivars.index(name))
            if name in self.cctx.classvar_owner:
                return ("cvar", self.const(self.cctx.classvar_owner[name]))
        if self.doit and name not in self.global_names:
            return ("wsg", None) if name[:1].isupper() else ("ws", None)
        return ("global", None)

    def assign(self, node: A.AssignmentNode, scope: LexScope) -> str:
        name = node.variable.name
        value = self.expr(node.value, scope)
        hit = scope.find(name)
        if hit is not None:
            py, owner = hit
            if name in owner.readonly:
                raise CompileError(f"Cannot store into argument '{name}'", node.start)
            if owner.function is not scope.function:
                f: FunctionScope | None = scope.function
                while f is not None and f is not owner.function:
                    if py not in f.locals:
                        f.nonlocals.add(py)
                    f = f.parent
            self.emit(f"{py} = {value}")
            return py
        if name in RESERVED:
            raise CompileError(f"Cannot store into {name}", node.start)
        kind = self.resolve_free(name)
        t = self.fresh()
        self.emit(f"{t} = {value}")
        if kind[0] == "ivar":
            self.emit(f"self.slots[{kind[1]}] = {t}")
        elif kind[0] == "cvar":
            self.emit(f"{kind[1]}[{self.const(name)}] = {t}")
        elif kind[0] in ("ws", "wsg"):
            self.ws_assigned.add(name)
            self.emit(f"_ws[{self.const(name)}] = {t}")
        else:
            raise CompileError(f"Cannot store into undeclared or global variable '{name}'",
                               node.start)
        return t

    def cascade(self, node: A.CascadeNode, scope: LexScope) -> str:
        first = node.messages[0]
        rcv = "self" if first.is_super_send else self.atom(node.receiver, scope, [node])
        result = "None"
        for i, m in enumerate(node.messages):
            args = [self.atom(a, scope, list(m.arguments[j + 1:]))
                    for j, a in enumerate(m.arguments)]
            r = self.send(rcv, m.selector, args, super_send=m.is_super_send)
            if i < len(node.messages) - 1:
                self.emit(r)
            else:
                result = r
        return result

    def message(self, node: A.MessageNode, scope: LexScope) -> str:
        inl = self.try_inline(node, scope)
        if inl is not None:
            return inl
        later = list(node.arguments)
        rcv = "self" if node.is_super_send else self.atom(node.receiver, scope, later)
        args = [self.atom(a, scope, list(node.arguments[i + 1:]))
                for i, a in enumerate(node.arguments)]
        return self.send(rcv, node.selector, args, super_send=node.is_super_send)

    def send(self, rcv: str, selector: str, args: list[str], *, super_send: bool = False) -> str:
        k = self.sel(selector)
        call_args = ", ".join([rcv, *args])
        if super_send:
            owner = self.const(self.cctx.cls, ("cls",))
            return f"_SL({owner}, {k})({call_args})"
        generic = f"(_C({rcv}).mc.get({k}) or _L({rcv}, {k}))({call_args})"
        fast = fast_path(rcv, selector, args, generic)
        return generic if fast is None else fast


class _RawStr(str):
    """Marks a block's source text constant (kept as a Python str, not a Smalltalk String)."""


def _var_of(py: str) -> str:
    return py[2:].rsplit("_", 1)[0]


def _safe(selector: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in selector)
    return out if out.isascii() else "sel"
