"""Loading the kernel: the metaclass knot in Python, then `kernel/*.st` in two passes.

Kernel files use a small line-oriented format that keeps each method's source exactly as a
Smalltalker writes it (the class browser shows it back):

    @class Point                 start a class definition (or `@extend Point` to add methods)
    @superclass Object
    @ivars x y                   instance variables      @classvars  class variables
    @classivars                  class-side instance variables
    @kind pointers               pointers | variable | special (Python-backed values)
    @package Kernel-BasicObjects
    @comment I represent an x-y pair.

    @method accessing            an instance-side method in category `accessing`
    x
        ^ x

    @classmethod instance creation
    x: ax y: ay
        ^ self basicNew setX: ax y: ay

A method's text runs to the next line that starts with `@` and one of the keywords
above. Pass one creates every class
(superclasses first), pass two compiles every method, so methods may refer to any class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from stui_trio.smalltalk.compiler import compile_method
from stui_trio.smalltalk.runtime.classes import make_class
from stui_trio.smalltalk.runtime.objects import STClass

KERNEL_DIR = Path(__file__).with_name("kernel")
_KEYS = {"class", "extend", "superclass", "ivars", "classvars", "classivars", "kind", "package",
         "comment", "method", "classmethod"}


@attrs.define
class ClassSpec:
    name: str
    extend: bool
    header: dict[str, str] = attrs.field(factory=dict)
    methods: list[tuple[bool, str, str]] = attrs.field(factory=list)  # (meta, category, src)


def parse_kernel_file(text: str) -> list[ClassSpec]:
    specs: list[ClassSpec] = []
    current: ClassSpec | None = None
    method: list | None = None

    def flush() -> None:
        nonlocal method
        if method is not None and current is not None:
            src = "\n".join(method[2]).strip("\n")
            if src.strip():
                current.methods.append((method[0], method[1], src))
        method = None

    for line in text.splitlines():
        key, _, value = line[1:].partition(" ")
        if line.startswith("@") and key in _KEYS:
            flush()
            value = value.strip()
            if key in ("class", "extend"):
                current = ClassSpec(value, key == "extend")
                specs.append(current)
            elif key in ("method", "classmethod"):
                method = [key == "classmethod", value or "as yet unclassified", []]
            elif current is not None:
                current.header[key] = value
        elif method is not None:
            method[2].append(line)
    flush()
    return specs


def bootstrap_metaclasses(core: Any) -> None:
    """Create ProtoObject .. Metaclass and tie the knot (`Metaclass class class == Metaclass`)."""
    names = [("ProtoObject", None), ("Object", "ProtoObject"), ("Behavior", "Object"),
             ("ClassDescription", "Behavior"), ("Class", "ClassDescription"),
             ("Metaclass", "ClassDescription")]
    classes: dict[str, STClass] = {}
    for name, sup in names:
        c = STClass(core, name, classes.get(sup) if sup else None, [])
        classes[name] = c
    for name, sup in names:
        c = classes[name]
        meta_sup = classes[sup].cls if sup else classes["Class"]
        meta = STClass(core, "", meta_sup, [], meta_of=c)
        c.cls = meta
        if sup:
            classes[sup].subclasses.append(c)
    for name, sup in names:
        c = classes[name]
        c.cls.superclass = classes[sup].cls if sup else classes["Class"]
        c.cls.cls = classes["Metaclass"]
        if sup:
            classes[sup].cls.subclasses.append(c.cls)
        else:
            classes["Class"].subclasses.append(c.cls)
        c.package = c.category = "Kernel-Classes"
        core.globals[name] = c
        core.all_classes.append(c)


def load_kernel(core: Any, directory: Path = KERNEL_DIR) -> int:
    specs: list[ClassSpec] = []
    for path in sorted(directory.glob("*.st")):
        specs.extend(parse_kernel_file(path.read_text(encoding="utf-8")))
    defined = {s.name: s for s in specs if not s.extend}
    done: set[str] = set()

    def define(spec: ClassSpec) -> None:
        if spec.name in done:
            return
        sup_name = spec.header.get("superclass", "Object")
        if sup_name in defined:
            define(defined[sup_name])
        sup = core.globals[sup_name] if sup_name != "nil" else None
        cls = make_class(core, spec.name, sup, spec.header.get("ivars", "").split(),
                         spec.header.get("classvars", "").split(),
                         spec.header.get("package", "Kernel"),
                         spec.header.get("kind", "pointers"),
                         spec.header.get("classivars", "").split())
        cls.comment = spec.header.get("comment", "")
        done.add(spec.name)

    for spec in defined.values():
        define(spec)
    core.bind_types()
    count = 0
    for spec in specs:
        cls = core.globals[spec.name]
        for meta, category, src in spec.methods:
            target = cls.cls if meta else cls
            cm = compile_method(core, target, src, category)
            target.methods[cm.selector] = cm
            count += 1
    core.invalidate()
    return count

