"""Live class definition primitives: `subclass:...`, the fluid `<<` builder, `compile:`,
`removeSelector:`, `Smalltalk at:`/`at:put:`.

Every change goes through the image (`install_method`, `define_class`), which serializes it
with the image lock and reports an `ImageChange` to storage. `Smalltalk at: #Foo put: x` does
not touch the shared image: it binds `Foo` in the evaluating workspace (so one session can
never reach another's values); `Smalltalk at:` reads that workspace's bindings, then the
image's globals (classes).
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk.compiler import CompileError
from stui_trio.smalltalk.parser import SmalltalkSyntaxError
from stui_trio.smalltalk.runtime.classes import make_class
from stui_trio.smalltalk.runtime.control import PrimitiveFailed
from stui_trio.smalltalk.runtime.objects import STClass, STString, Symbol
from stui_trio.smalltalk.values import ImageChange


def definition_string(cls: STClass) -> str:
    sup = cls.superclass.name if cls.superclass is not None else "nil"
    kw = "variableSubclass:" if cls.kind == "variable" else "subclass:"
    return (f"{sup} {kw} #{cls.name}\n\tinstanceVariableNames: '{' '.join(cls.ivars)}'\n"
            f"\tclassVariableNames: '{' '.join(cls.classvars)}'\n\tpackage: '{cls.package}'")


def register(image: Any, prims: dict, limits: Any) -> None:
    err = image.error

    def text(x: Any) -> str:
        if isinstance(x, STString | Symbol):
            return x.s
        raise PrimitiveFailed

    def define(sup: Any, name: Any, ivars: Any, cvars: Any, package: Any,
               kind: str = "pointers", class_ivars: list[str] | None = None) -> Any:
        if not isinstance(sup, STClass) and sup is not None:
            raise PrimitiveFailed
        n = text(name)
        if not n[:1].isupper() or not n.replace("_", "a").isalnum():
            return err("Error", f"Invalid class name: {n}")
        existing = image.globals.get(n)
        if existing is not None and not isinstance(existing, STClass):
            return err("Error", f"{n} is a global, not a class")
        if n in image.kernel_classes:
            return err("Error", f"Cannot redefine kernel class {n}")
        with image.lock:
            cls = make_class(image, n, sup, text(ivars).split(), text(cvars).split(),
                             text(package) if package is not None else "Unpackaged", kind,
                             class_ivars)
        image.notify(ImageChange("define_class", n, source=definition_string(cls)))
        return cls

    def compile_(cls: Any, source: Any, category: Any = None) -> Any:
        if not isinstance(cls, STClass):
            raise PrimitiveFailed
        cat = text(category) if category is not None else "as yet unclassified"
        try:
            cm = image.install_method(cls, text(source), cat)
        except SmalltalkSyntaxError as e:
            return err("SyntaxErrorNotification", f"{e.message} (line {e.line}, column "
                                                  f"{e.column})")
        except CompileError as e:
            return err("SyntaxErrorNotification", e.message)
        return image.intern(cm.selector)

    def remove_selector(cls: Any, sel: Any) -> Any:
        image.remove_method(cls, text(sel))
        return cls

    def class_ivars(meta: Any, names: Any) -> Any:
        if not isinstance(meta, STClass) or meta.meta_of is None:
            raise PrimitiveFailed
        base = meta.meta_of
        if base.name in image.kernel_classes:
            return err("Error", f"Cannot redefine kernel class {base.name}")
        with image.lock:
            make_class(image, base.name, base.superclass, base.ivars, list(base.classvars),
                       base.package, base.kind, text(names).split())
        image.notify(ImageChange("define_class", base.name,
                                 source=f"{base.name} class instanceVariableNames: "
                                        f"'{text(names)}'"))
        return meta

    def fluid_install(builder: Any) -> Any:
        # Builder slots: superclass name slots sharedVariables package tag kind
        sup, name, slots, shared, package = builder.slots[:5]
        old = image.globals.get(text(name))
        old = old if isinstance(old, STClass) else None
        # A step that has not said slots:/sharedVariables:/package: yet keeps what the class
        # already has, so re-running a definition never drops instance variable values.
        names = " ".join(text(x) for x in slots) if slots is not None else \
            " ".join(old.ivars) if old is not None else ""
        svars = " ".join(text(x) for x in shared) if shared is not None else \
            " ".join(old.classvars) if old is not None else ""
        pkg = package if package is not None else \
            STString(old.package if old is not None else "Unpackaged")
        return define(sup, name, STString(names), STString(svars), pkg)

    def smalltalk_at(_s: Any, key: Any) -> Any:
        k = text(key)
        ws = image.ctx().workspace
        if ws is not None and k in ws.bindings:
            return ws.bindings[k]
        if k in image.globals:
            return image.globals[k]
        exc = image.new_exception("KeyNotFound", f"key #{k} not found in SystemDictionary")
        image.send(exc, "key:", key)
        return image.send(exc, "signal")

    def smalltalk_at_put(_s: Any, key: Any, value: Any) -> Any:
        k = text(key)
        if k in image.globals:
            return err("Error", f"Cannot rebind the image global {k}")
        ws = image.ctx().workspace
        if ws is None:
            raise PrimitiveFailed
        ws.bindings[k] = value
        return value

    def smalltalk_includes(_s: Any, key: Any) -> bool:
        k = text(key)
        ws = image.ctx().workspace
        return k in image.globals or (ws is not None and k in ws.bindings)

    prims.update({
        "class.define": lambda sup, n, iv, cv, p: define(sup, n, iv, cv, p),
        "class.defineVariable": lambda sup, n, iv, cv, p: define(sup, n, iv, cv, p,
                                                                 "variable"),
        "class.compile": compile_, "class.removeSelector": remove_selector,
        "class.classIvars": class_ivars, "class.fluidInstall": fluid_install,
        "class.definition": lambda c: STString(definition_string(c)),
        "class.setComment": lambda c, s: _set_comment(image, c, text(s)),
        "smalltalk.at": smalltalk_at, "smalltalk.atPut": smalltalk_at_put,
        "smalltalk.includesKey": smalltalk_includes,
        "smalltalk.classNames": lambda _s: sorted(
            (image.intern(n) for n, v in image.globals.items() if isinstance(v, STClass)),
            key=lambda s: s.s),
    })


def _set_comment(image: Any, cls: STClass, text: str) -> STClass:
    cls.comment = text
    image.notify(ImageChange("class_comment", cls.name, source=text))
    return cls
