"""Compile methods and doits to Python functions (see `codegen.py` for what is generated).

`compile_method(core, cls, source, category)` parses, generates, `compile()`s and answers a
`CompiledMethod` (not yet installed); `prepare_doit(core, node)` answers a workspace-independent
`PreparedDoit` (kept in a `DoitCache` for re-runs) whose `instantiate(core.literal, bindings)`
is the doit's function of `self`; `compile_doit(core, node, workspace_bindings)` does both
and answers that function and the names of workspace bindings it assigns. Every
generated code object gets a unique file name registered in `core.code_registry`, which maps
Python line numbers back to Smalltalk lines for error stacks.
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk import ast as A
from stui_trio.smalltalk.compiler.codegen import CodeGen, CompileError
from stui_trio.smalltalk.compiler.doit_cache import DoitCache, PreparedDoit
from stui_trio.smalltalk.compiler.scope import ClassContext
from stui_trio.smalltalk.parser import parse_method
from stui_trio.smalltalk.runtime.image import CodeInfo, ImageCore
from stui_trio.smalltalk.runtime.objects import CompiledMethod, STClass

__all__ = ["CompileError", "DoitCache", "PreparedDoit", "compile_doit", "compile_method",
           "compile_method_node", "prepare_doit"]


def class_context(cls: STClass) -> ClassContext:
    base = cls.meta_of if cls.meta_of is not None else cls
    cvars: dict[str, Any] = {}
    c: STClass | None = base
    while c is not None:
        for name in c.classvars:
            cvars.setdefault(name, c.classvars)
        c = c.superclass
    return ClassContext(cls, cls.all_ivars(), cvars)


def compile_method(core: ImageCore, cls: STClass, source: str, category: str) -> CompiledMethod:
    return compile_method_node(core, cls, parse_method(source), category)


def compile_method_node(core: ImageCore, cls: STClass, node: A.MethodNode,
                        category: str) -> CompiledMethod:
    prim_name = None
    prim = None
    for p in node.pragmas:
        if p.selector == "primitive:" and p.arguments and isinstance(p.arguments[0], str):
            prim_name = p.arguments[0]
            prim = core.primitives.get(prim_name)
            if prim is None:
                raise CompileError(f"unknown primitive '{prim_name}'", p.start)
    gen = CodeGen(node.source, class_context(cls), doit=False,
                  global_names=set(core.globals), literal=core.literal)
    py = gen.method(node, prim, prim_name)
    fn = _materialize(core, py, gen, cls.display_name(), node.selector, node.source)
    return CompiledMethod(node.selector, fn, node.source, category, cls, prim_name,
                          tuple(a.name for a in node.arguments))


def compile_doit(core: ImageCore, node: A.DoItNode, bindings: dict) -> tuple[Any, set[str]]:
    prepared = prepare_doit(core, node)
    return prepared.instantiate(core.literal, bindings), set(prepared.assigned)


def prepare_doit(core: ImageCore, node: A.DoItNode) -> PreparedDoit:
    names_version = core.names_version()  # before reading the names (see there)
    gen = CodeGen(node.source, ClassContext(None, [], {}), doit=True,
                  global_names=set(core.globals), literal=core.literal)
    py = gen.doit_fn(node)
    make = _factory(core, py, gen, "UndefinedObject", "DoIt", node.source)
    return PreparedDoit(make, tuple(gen.consts), tuple(gen.literal_consts),
                        frozenset(gen.ws_assigned), names_version)


def _materialize(core: ImageCore, py: str, gen: CodeGen, class_name: str, selector: str,
                 source: str) -> Any:
    return _factory(core, py, gen, class_name, selector, source)(*gen.consts)


def _factory(core: ImageCore, py: str, gen: CodeGen, class_name: str, selector: str,
             source: str) -> Any:
    """The generated module's `_make` factory."""
    filename = core.register_code(CodeInfo(class_name, selector, source, gen.linemap))
    code = compile(py, filename, "exec")
    ns: dict[str, Any] = {}
    exec(code, core.G, ns)  # G has empty __builtins__; the code is ours, built from the AST
    return ns["_make"]
