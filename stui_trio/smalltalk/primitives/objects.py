"""Object, Behavior, BlockClosure, Exception and Transcript primitives.

These are the primitives the kernel's Object/Class/Block/Exception methods are built on:
identity and copying, reflection on classes (answering Smalltalk values only: names as
Strings, selectors as Symbols; never a Python object), instance creation with size limits,
`perform:`, block evaluation, `on:do:`/`ensure:`/`ifCurtailed:` and the exception-handling
operations of `runtime/signals.py`, and the per-evaluation Transcript.
"""

from __future__ import annotations

import copy as pycopy
import time
from typing import Any

from stui_trio.smalltalk.runtime import signals
from stui_trio.smalltalk.runtime.control import (
    HandlerResume,
    HandlerRetry,
    HandlerUnwind,
    Interrupted,
    PrimitiveFailed,
)
from stui_trio.smalltalk.runtime.image import new_indexed
from stui_trio.smalltalk.runtime.objects import (
    Block,
    Character,
    STClass,
    STIndexed,
    STObject,
    STString,
    Symbol,
)


def register(image: Any, prims: dict, limits: Any) -> None:
    g = image.globals
    err = image.error

    def basic_new(cls: STClass) -> Any:
        if not isinstance(cls, STClass) or cls.meta_of is not None:
            raise PrimitiveFailed
        if cls.kind == "special":
            return image.send(cls, "new:", 0)
        n = cls.mc.get("__nslots__")
        if n is None:
            n = len(cls.all_ivars())
            cls.mc["__nslots__"] = n
        if cls.kind == "variable":
            return STIndexed(cls, [None] * n, [])
        return STObject(cls, [None] * n)

    def basic_new_size(cls: STClass, size: Any) -> Any:
        if type(size) is not int or size < 0:
            return err("Error", "new: needs a non-negative Integer size")
        if size > limits.max_collection_size:
            return err("Error", f"new: {size} exceeds the allocation limit "
                                f"({limits.max_collection_size})")
        if cls is g["Array"]:
            return [None] * size
        if cls is g["String"] or cls is g["ByteString"]:
            return STString(" " * size)
        if cls is g["ByteArray"]:
            return bytearray(size)
        if cls.kind == "variable":
            return new_indexed(cls, size)
        raise PrimitiveFailed

    def inst_var_at(obj: Any, i: Any) -> Any:
        if type(i) is not int or not isinstance(obj, STObject) or not 1 <= i <= len(obj.slots):
            return err("SubscriptOutOfBounds", f"Index out of bounds: {i}")
        return obj.slots[i - 1]

    def inst_var_at_put(obj: Any, i: Any, v: Any) -> Any:
        if type(i) is not int or not isinstance(obj, STObject) or not 1 <= i <= len(obj.slots):
            return err("SubscriptOutOfBounds", f"Index out of bounds: {i}")
        obj.slots[i - 1] = v
        return v

    def inst_var_named(obj: Any, name: Any) -> Any:
        names = image.class_of(obj).all_ivars()
        n = name.s if isinstance(name, STString | Symbol) else None
        if n not in names or not isinstance(obj, STObject):
            return err("InstanceVariableNotFound", f"{n} is not an instance variable")
        return obj.slots[names.index(n)]

    def inst_var_named_put(obj: Any, name: Any, v: Any) -> Any:
        names = image.class_of(obj).all_ivars()
        n = name.s if isinstance(name, STString | Symbol) else None
        if n not in names or not isinstance(obj, STObject):
            return err("InstanceVariableNotFound", f"{n} is not an instance variable")
        obj.slots[names.index(n)] = v
        return v

    def shallow_copy(obj: Any) -> Any:
        t = type(obj)
        if t in (int, float, bool, Symbol, Character) or obj is None or isinstance(obj, STClass):
            return obj
        if t is list or t is tuple:
            return list(obj)
        if t is STString:
            return STString(obj.s)
        if t in (bytearray, bytes):
            return bytearray(obj)
        if t is STIndexed:
            return STIndexed(obj.cls, list(obj.slots), list(obj.items))
        if t is STObject:
            return STObject(obj.cls, [_copy_hidden(s) for s in obj.slots])
        if t is Block:
            return obj
        return pycopy.copy(obj)

    def _copy_hidden(v: Any) -> Any:
        # Python containers backing kernel collections are private: copy them too.
        if type(v) in (dict, set):
            return v.copy()
        return v

    def identity_hash(obj: Any) -> int:
        if type(obj) is int:
            return obj
        if type(obj) is Character:
            return obj.code
        return (id(obj) >> 4) & 0x3FFFFF

    def perform(rcv: Any, sel: Any, *args: Any) -> Any:
        if not isinstance(sel, Symbol | STString):
            return err("Error", "perform: needs a Symbol")
        return image.send(rcv, sel.s, *args)

    def perform_args(rcv: Any, sel: Any, args: Any) -> Any:
        if type(args) not in (list, tuple):
            return err("Error", "withArguments: needs an Array")
        return perform(rcv, sel, *args)

    def responds_to(rcv: Any, sel: Any) -> bool:
        return isinstance(sel, Symbol) and image.responds_to(rcv, sel.s)

    def class_name(cls: Any) -> Any:
        if not isinstance(cls, STClass):
            raise PrimitiveFailed
        if cls.meta_of is not None:
            return STString(cls.display_name())
        return image.intern(cls.name)

    def block_value(blk: Block, *args: Any) -> Any:
        if type(blk) is not Block:
            raise PrimitiveFailed
        if blk.nargs != len(args):
            return err("ArgumentsCountMismatch",
                       f"This block accepts {blk.nargs} argument"
                       f"{'' if blk.nargs == 1 else 's'}, but was called with {len(args)} "
                       f"argument{'' if len(args) == 1 else 's'}.")
        return blk.fn(*args)

    def block_value_args(blk: Block, args: Any) -> Any:
        if type(args) not in (list, tuple):
            raise PrimitiveFailed
        return block_value(blk, *args)

    def ensure(blk: Block, after: Block) -> Any:
        try:
            result = blk.fn()
        except Interrupted:
            # An interrupted evaluation still runs its ensure: blocks, with a short grace
            # period so that a runaway ensure block cannot keep it alive.
            ctx = image.ctx()
            outer = ctx.grace_until
            if not outer:
                ctx.grace_until = time.monotonic() + 0.5
            try:
                image.send(after, "value")
            finally:
                ctx.grace_until = outer
            raise
        except BaseException:
            image.send(after, "value")
            raise
        image.send(after, "value")
        return result

    def if_curtailed(blk: Block, after: Block) -> Any:
        ok = False
        try:
            r = blk.fn()
            ok = True
            return r
        finally:
            if not ok:
                image.send(after, "value")

    def exc_return(exc: Any, value: Any) -> Any:
        rec = signals.current_record(image, exc)
        if rec is None:
            return err("Error", "return: outside of a handler")
        raise HandlerUnwind(rec, value)

    def exc_retry(exc: Any) -> Any:
        rec = signals.current_record(image, exc)
        if rec is None:
            return err("Error", "retry outside of a handler")
        raise HandlerRetry(rec)

    def exc_retry_using(exc: Any, blk: Any) -> Any:
        rec = signals.current_record(image, exc)
        if rec is None:
            return err("Error", "retryUsing: outside of a handler")
        raise HandlerRetry(rec, blk)

    def exc_resume(exc: Any, value: Any) -> Any:
        raise HandlerResume(exc, value)

    def exc_pass(exc: Any) -> Any:
        value = signals.outer(image, exc)
        raise HandlerResume(exc, value)

    def transcript_show(t: Any, s: Any) -> Any:
        ctx = image.ctx()
        text = s.s if isinstance(s, STString | Symbol) else image.send(s, "displayString").s
        if ctx.transcript is not None:
            ctx.transcript.write(text)
        return t

    def selectors(cls: STClass) -> list:
        return [image.intern(s) for s in sorted(cls.methods)]

    def superclass(cls: STClass) -> Any:
        return cls.superclass

    def all_ivar_names(cls: STClass) -> list:
        return [image.intern(n) for n in cls.all_ivars()]

    def ivar_names(cls: STClass) -> list:
        return [image.intern(n) for n in cls.ivars]

    def subclasses(cls: STClass) -> list:
        return list(cls.subclasses)

    def includes_selector(cls: STClass, sel: Any) -> bool:
        return isinstance(sel, Symbol) and sel.s in cls.methods

    def inherits_from(cls: Any, other: Any) -> bool:
        return isinstance(cls, STClass) and isinstance(other, STClass) and \
            cls is not other and cls.inherits_from(other)

    def method_source(cls: STClass, sel: Any) -> Any:
        m = cls.methods.get(sel.s) if isinstance(sel, Symbol) else None
        return STString(m.source) if m is not None else None

    def method_at(cls: STClass, sel: Any) -> Any:
        m = cls.methods.get(sel.s) if isinstance(sel, Symbol | STString) else None
        if m is None:
            return err("KeyNotFound", f"key {symbol_text(sel)} not found in MethodDictionary")
        return STObject(g["CompiledMethod"], [image.intern(m.selector), cls, STString(m.source),
                                              image.intern(m.category)])

    def symbol_text(x: Any) -> str:
        return "#" + x.s if isinstance(x, Symbol) else repr(x)

    def as_string_class_meta(cls: STClass) -> Any:
        return cls.cls

    prims.update({
        "obj.basicNew": basic_new, "obj.basicNewSize": basic_new_size,
        "obj.instVarAt": inst_var_at, "obj.instVarAtPut": inst_var_at_put,
        "obj.instVarNamed": inst_var_named, "obj.instVarNamedPut": inst_var_named_put,
        "obj.shallowCopy": shallow_copy, "obj.identityHash": identity_hash,
        "obj.identical": lambda a, b: a is b or image.G["_ideq"](a, b),
        "obj.class": lambda a: image.class_of(a),
        "obj.perform": perform, "obj.performArgs": perform_args, "obj.respondsTo": responds_to,
        "obj.isKindOf": lambda a, c: isinstance(c, STClass) and
        image.class_of(a).inherits_from(c),
        "class.name": class_name, "class.selectors": selectors, "class.superclass": superclass,
        "class.allInstVarNames": all_ivar_names, "class.instVarNames": ivar_names,
        "class.subclasses": subclasses, "class.includesSelector": includes_selector,
        "class.inheritsFrom": inherits_from, "class.sourceAt": method_source,
        "class.methodAt": method_at,
        "class.category": lambda c: STString(c.package),
        "class.comment": lambda c: STString(c.comment),
        "class.metaclass": as_string_class_meta,
        "class.thisClass": lambda c: c.meta_of if c.meta_of is not None else c,
        "class.isMeta": lambda c: c.meta_of is not None,
        "block.value": block_value, "block.valueArgs": block_value_args,
        "block.numArgs": lambda b: b.nargs, "block.ensure": ensure,
        "block.ifCurtailed": if_curtailed,
        "block.onDo": lambda b, sel, h: signals.on_do(image, b, sel, h),
        "block.source": lambda b: STString(b.source),
        "exc.signal": lambda e: signals.signal(image, e),
        "exc.return": exc_return, "exc.retry": exc_retry, "exc.retryUsing": exc_retry_using,
        "exc.resume": exc_resume, "exc.pass": exc_pass,
        "exc.outer": lambda e: signals.outer(image, e),
        "exc.unhandled": lambda e: signals.unhandled(image, e),
        "transcript.show": transcript_show,
    })
