"""The runtime core of an image: class table, `class_of`, method lookup, symbols, sends.

One `ImageCore` per image, passed explicitly (no module globals). What it owns:

- `globals`: the image-wide names (classes, `Smalltalk`, `Transcript`); shared by all sessions.
  `names_version()` changes whenever the set of names may have: compiled doits depend on it.
- `class_of(obj)`: the Smalltalk class of any runtime value, by Python type (ints by range).
- `lookup(cls, selector)`: walks the superclass chain and fills `cls.mc`, the per-class cache
  every generated send reads; any class or method change clears all caches (`invalidate`).
  A missing method caches a function that sends `doesNotUnderstand:`.
- `send(rcv, selector, *args)`: a send from Python (primitives, tools).
- the symbol table (`intern`), the code registry (generated file name -> method info, for stack
  frames), the interrupt poll flag, and the per-thread EvalContext.
- `G`: the globals dict every generated function runs with. `__builtins__` is empty, so
  generated code can reach nothing but the helpers put here.

Thread safety: dict and list operations used on the hot paths are atomic under the GIL; image
changes (classes, methods) are serialized by `lock`, and caches are cleared only after a change
is complete, so a concurrent send sees either the old or the new method.
"""

from __future__ import annotations

import threading
import time
from fractions import Fraction
from typing import Any

from stui_trio.smalltalk import ast as A
from stui_trio.smalltalk.runtime.control import (
    EvalContext,
    Interrupted,
    NonLocalReturn,
    PrimitiveFailed,
)
from stui_trio.smalltalk.runtime.objects import (
    SMALL_MAX,
    SMALL_MIN,
    Block,
    Character,
    RawFraction,
    ScaledDecimal,
    STClass,
    STIndexed,
    STObject,
    STString,
    Symbol,
)

PYTHON_ERRORS = (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError, KeyError,
                 AttributeError, ArithmeticError, UnicodeError)


class CodeInfo:
    __slots__ = ("class_name", "linemap", "selector", "source")

    def __init__(self, class_name: str, selector: str, source: str, linemap: list[int]) -> None:
        self.class_name = class_name
        self.selector = selector
        self.source = source
        self.linemap = linemap

    def frame_at(self, lineno: int) -> tuple[str, str, int]:
        idx = min(max(lineno - 1, 0), len(self.linemap) - 1) if self.linemap else 0
        offset = self.linemap[idx] if self.linemap else 0
        line, _ = A.position_of(self.source, offset)
        return (self.class_name, self.selector, line)


class ImageCore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.globals: dict[str, Any] = {}
        self.changes = 0  # class and method changes so far (see `names_version`)
        self.all_classes: list[STClass] = []
        self.symbols: dict[str, Symbol] = {}
        self.code_registry: dict[str, CodeInfo] = {}
        self.primitives: dict[str, Any] = {}
        self.poll_flag = [False]
        self.active_tokens: set = set()
        self._tls = threading.local()
        self._code_counter = 0
        self.tmap: dict[type, STClass] = {}
        self.class_of = self._make_class_of()
        self.G: dict[str, Any] = {"__builtins__": {}}

    # ---- classes ----------------------------------------------------------------------
    def cls(self, name: str) -> STClass:
        return self.globals[name]

    def bind_types(self) -> None:
        """Called once kernel classes exist: map Python types to their classes."""
        g = self.globals
        self.tmap.update({
            float: g["SmallFloat64"], type(None): g["UndefinedObject"],
            STString: g["ByteString"], Symbol: g["ByteSymbol"], Character: g["Character"],
            list: g["Array"], tuple: g["Array"], bytearray: g["ByteArray"], bytes: g["ByteArray"],
            Fraction: g["Fraction"], RawFraction: g["Fraction"], ScaledDecimal: g["ScaledDecimal"],
            Block: g["FullBlockClosure"], dict: g["InternalTable"], set: g["InternalTable"],
        })
        self.class_of = self._make_class_of()
        self._install_helpers()

    def _make_class_of(self):
        tmap = self.tmap
        g = self.globals
        si, lpi, lni = g.get("SmallInteger"), g.get("LargePositiveInteger"), \
            g.get("LargeNegativeInteger")
        t_cls, f_cls = g.get("True"), g.get("False")
        lo, hi = SMALL_MIN, SMALL_MAX
        get = tmap.get

        def class_of(o: Any) -> STClass:
            t = type(o)
            if t is int:
                return si if lo <= o <= hi else (lpi if o > 0 else lni)
            if t is STObject:
                return o.cls
            c = get(t)
            if c is not None:
                return c
            if t is bool:
                return t_cls if o else f_cls
            return o.cls

        return class_of

    def names_version(self) -> tuple[int, int]:
        """Changes whenever the set of global names may have changed.

        Compiled doits depend on which names are globals (the others are workspace variables);
        values are read at run time. Classes are added (or redefined) with `invalidate()`,
        which counts; the length catches a name added or removed any other way. Read it before
        looking at the names: a concurrent change then only makes a compilation look older."""
        return (self.changes, len(self.globals))

    def invalidate(self) -> None:
        self.changes += 1
        for c in self.all_classes:
            c.mc.clear()
            c.cls.mc.clear()

    def lookup(self, cls: STClass, selector: str) -> Any:
        c: STClass | None = cls
        while c is not None:
            m = c.methods.get(selector)
            if m is not None:
                cls.mc[selector] = m.fn
                return m.fn
            c = c.superclass
        fn = self._dnu_function(selector)
        cls.mc[selector] = fn
        return fn

    def _dnu_function(self, selector: str):
        def dnu(rcv: Any, *args: Any) -> Any:
            return self.send(rcv, "doesNotUnderstand:", self.make_message(selector, args,
                                                                          self.class_of(rcv)))
        return dnu

    def make_message(self, selector: str, args: tuple, lookup_class: Any) -> STObject:
        return STObject(self.globals["Message"], [self.intern(selector), list(args),
                                                  lookup_class])

    def send(self, rcv: Any, selector: str, *args: Any) -> Any:
        cls = self.class_of(rcv)
        fn = cls.mc.get(selector) or self.lookup(cls, selector)
        return fn(rcv, *args)

    def responds_to(self, rcv: Any, selector: str) -> bool:
        c: STClass | None = self.class_of(rcv)
        while c is not None:
            if selector in c.methods:
                return True
            c = c.superclass
        return False

    # ---- values -----------------------------------------------------------------------
    def intern(self, s: str) -> Symbol:
        sym = self.symbols.get(s)
        if sym is None:
            sym = self.symbols.setdefault(s, Symbol(s))
        return sym

    def string(self, s: str) -> STString:
        return STString(s)

    def literal(self, v: Any) -> Any:
        """Convert a parser LiteralValue into a runtime (read-only) object."""
        if isinstance(v, str):
            return STString(v, True)
        if isinstance(v, A.SymbolLiteral):
            return self.intern(v.name)
        if isinstance(v, A.CharacterLiteral):
            return Character(ord(v.char))
        if isinstance(v, A.ScaledDecimalLiteral):
            return ScaledDecimal(v.value, v.scale)
        if isinstance(v, tuple):
            return tuple(self.literal(x) for x in v)
        return v

    def st_hash(self, obj: Any) -> int:
        h = self.send(obj, "hash")
        return h if type(h) is int else id(obj)

    def st_equal(self, a: Any, b: Any) -> bool:
        return a is b or self.send(a, "=", b) is True

    def is_kind_of(self, obj: Any, cls_name: str) -> bool:
        return self.class_of(obj).inherits_from(self.globals[cls_name])

    # ---- evaluation context and interrupts ---------------------------------------------
    def ctx(self) -> EvalContext:
        ctx = getattr(self._tls, "ctx", None)
        if ctx is None:
            ctx = EvalContext(None, None)
            self._tls.ctx = ctx
        return ctx

    def set_ctx(self, ctx: EvalContext | None) -> None:
        self._tls.ctx = ctx

    def poll(self) -> None:
        ctx = getattr(self._tls, "ctx", None)
        token = ctx.token if ctx is not None else None
        if token is not None and token.is_set and (
                not ctx.grace_until or time.monotonic() > ctx.grace_until):
            raise Interrupted(token.reason)
        self.poll_flag[0] = any(t.is_set for t in list(self.active_tokens))

    def live_instances(self, classes: set) -> list:
        import gc

        out = []
        for c in classes:
            for r in gc.get_referrers(c):
                if isinstance(r, STObject) and not isinstance(r, STClass) and r.cls is c:
                    out.append(r)
        return out

    # ---- errors from primitives ---------------------------------------------------------
    def new_exception(self, class_name: str, text: str | None = None) -> STObject:
        exc = self.send(self.globals[class_name], "new")
        if text is not None:
            exc.slots[0] = STString(text)
        return exc

    def error(self, class_name: str, text: str | None = None) -> Any:
        """Signal a Smalltalk exception from Python; answers the resumption value."""
        return self.send(self.new_exception(class_name, text), "signal")

    # ---- generated-code helpers ---------------------------------------------------------
    def _install_helpers(self) -> None:
        lookup = self.lookup
        class_of = self.class_of

        def _L(rcv: Any, sel: str) -> Any:
            return lookup(class_of(rcv), sel)

        def _SL(owner: STClass, sel: str) -> Any:
            sup = owner.superclass
            return sup.mc.get(sel) or lookup(sup, sel)

        def _ideq(a: Any, b: Any) -> bool:
            t = type(a)
            if t is not type(b):
                return False
            if t is int:
                return SMALL_MIN <= a <= SMALL_MAX and a == b
            if t is float:
                return a == b or (a != a and b != b)
            return t is Character and a.code == b.code

        def _aput(arr: list, i: int, v: Any) -> Any:
            arr[i - 1] = v
            return v

        def _mb(v: Any) -> Any:
            return self.error("NonBooleanReceiver", "proceed for truth.")

        def _bcr(v: Any) -> Any:
            return self.error("BlockCannotReturn", "BlockCannotReturn")

        def _numrange(start: Any, stop: Any, step: int, cmp: str):
            i = start
            while True:
                c = self.send(i, cmp, stop)
                if c is not True:
                    return
                yield i
                i = self.send(i, "+", step)

        def _primerr(name: str, e: BaseException) -> Any:
            if isinstance(e, MemoryError):
                return self.error("Error", f"Not enough memory for primitive {name}")
            return self.error("PrimitiveFailed", f"primitive {name} failed: {e}")

        def _primfail(rcv: Any, name: str) -> Any:
            return self.error("PrimitiveFailed", f"primitive {name} failed")

        def _wsg(ws: dict, name: str) -> Any:
            if name in ws:
                return ws[name]
            return self.globals.get(name)

        self.G.update({
            "_C": class_of, "_L": _L, "_SL": _SL, "_ideq": _ideq, "_aput": _aput, "_mb": _mb,
            "_bcr": _bcr, "_numrange": _numrange, "_primerr": _primerr, "_primfail": _primfail,
            "_P": self.poll_flag, "_poll": self.poll, "_B": Block, "_Blk": Block,
            "_NLR": NonLocalReturn, "_PF": PrimitiveFailed, "_PYERR": PYTHON_ERRORS,
            "_SG": self.globals, "_wsg": _wsg, "_ctx": self.ctx, "_STO": STObject,
            # the only builtins generated code uses (user identifiers are mangled `v_...`)
            "type": type, "len": len, "range": range, "int": int, "list": list,
        })

    def register_code(self, info: CodeInfo) -> str:
        with self.lock:
            self._code_counter += 1
            name = f"<st:{self._code_counter}>"
        self.code_registry[name] = info
        return name


def new_indexed(cls: STClass, size: int) -> STIndexed:
    return STIndexed(cls, [None] * len(cls.all_ivars()), [None] * size)
