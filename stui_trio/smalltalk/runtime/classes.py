"""Creating and redefining classes: the class table's only writer.

A class is an `STClass` whose `cls` is its metaclass (another STClass with `meta_of` set); every
metaclass is an instance of `Metaclass`, so `3 class class class == Metaclass` holds as in Pharo.
Redefining an existing class keeps the same class object (so existing instances, methods and
references stay valid), migrates instance slots by name for the class and its subclasses, and
asks the image to recompile their methods (instance variable indices may have moved).

Callers hold the image lock; this module does not lock.
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk.runtime.objects import STClass

KINDS = ("pointers", "variable", "bytes", "special")


def make_class(image: Any, name: str, superclass: STClass | None, ivars: list[str],
               classvars: list[str], package: str, kind: str = "pointers",
               class_ivars: list[str] | None = None) -> STClass:
    """Create or redefine class `name`; answer the class (same object when it existed)."""
    existing = image.globals.get(name)
    if isinstance(existing, STClass) and existing.meta_of is None:
        return _redefine(image, existing, superclass, ivars, classvars, package, kind,
                         class_ivars)
    meta_super = superclass.cls if superclass is not None else image.globals.get("Class")
    meta = STClass(image, "", meta_super, list(class_ivars or []))
    meta.cls = image.globals.get("Metaclass")
    cls = STClass(image, name, superclass, list(ivars), kind=kind)
    meta.meta_of = cls
    cls.cls = meta
    cls.package = package
    cls.category = package
    for v in classvars:
        cls.classvars[v] = None
    cls.slots = [None] * len(meta.all_ivars()) if meta_super is not None else []
    if superclass is not None:
        superclass.subclasses.append(cls)
        if meta_super is not None:
            meta_super.subclasses.append(meta)
    image.globals[name] = cls
    image.all_classes.append(cls)
    image.invalidate()
    return cls


def _redefine(image: Any, cls: STClass, superclass: STClass | None, ivars: list[str],
              classvars: list[str], package: str, kind: str,
              class_ivars: list[str] | None) -> STClass:
    old_layouts = {c: c.all_ivars() for c in _with_subclasses(cls)}
    meta_old = {c.cls: c.cls.all_ivars() for c in _with_subclasses(cls)}
    if superclass is not cls.superclass:
        if cls.superclass is not None and cls in cls.superclass.subclasses:
            cls.superclass.subclasses.remove(cls)
            if cls.cls in cls.superclass.cls.subclasses:
                cls.superclass.cls.subclasses.remove(cls.cls)
        cls.superclass = superclass
        cls.cls.superclass = superclass.cls if superclass is not None else cls.cls.superclass
        if superclass is not None:
            superclass.subclasses.append(cls)
            superclass.cls.subclasses.append(cls.cls)
    cls.ivars = list(ivars)
    if class_ivars is not None:
        cls.cls.ivars = list(class_ivars)
    for v in list(cls.classvars):
        if v not in classvars:
            del cls.classvars[v]
    for v in classvars:
        cls.classvars.setdefault(v, None)
    cls.package = package or cls.package
    cls.category = cls.package
    cls.kind = kind
    changed = {c for c, old in old_layouts.items() if c.all_ivars() != old}
    meta_changed = {m for m, old in meta_old.items() if m.all_ivars() != old}
    if changed or meta_changed:
        _migrate(image, old_layouts, changed, meta_old, meta_changed)
    image.invalidate()
    return cls


def _with_subclasses(cls: STClass) -> list[STClass]:
    out = [cls]
    for s in cls.subclasses:
        out.extend(_with_subclasses(s))
    return out


def _migrate(image: Any, old_layouts: dict, changed: set, meta_old: dict,
             meta_changed: set) -> None:
    """Move slot values by instance variable name; recompile methods that index slots."""
    layouts = {c: c.all_ivars() for c in changed}
    for obj in image.live_instances(changed):
        old = old_layouts[obj.cls]
        new = layouts[obj.cls]
        values = dict(zip(old, obj.slots, strict=False))
        obj.slots = [values.get(n) for n in new]
    for meta in meta_changed:
        cls = meta.meta_of
        values = dict(zip(meta_old[meta], cls.slots, strict=False))
        cls.slots = [values.get(n) for n in meta.all_ivars()]
    for c in changed | {m.meta_of for m in meta_changed}:
        image.recompile_class(c)
