"""Reflection for the tools: browsing classes and methods, inspecting objects, defining code.

Everything here answers plain Python values (str, tuples, small frozen attrs records) that the
tools layer can put on the wire; objects themselves are handed back only where an inspector
needs to drill down (`ObjectField.value`). Image-changing calls (`define_class`,
`compile_method`, `remove_method`) go through the image, so they are serialized and reported to
`on_change` listeners like changes made from Smalltalk code.
"""

from __future__ import annotations

from typing import Any

import attrs

from stui_trio.smalltalk.compiler import CompileError
from stui_trio.smalltalk.image import Image
from stui_trio.smalltalk.parser import SmalltalkSyntaxError, tokenize
from stui_trio.smalltalk.primitives.classdef import definition_string
from stui_trio.smalltalk.runtime.objects import STClass, STIndexed, STObject, STString
from stui_trio.smalltalk.values import EvalOutcome, Workspace


@attrs.frozen
class ClassInfo:
    name: str
    superclass: str | None
    package: str
    comment: str


@attrs.frozen
class MethodInfo:
    class_name: str
    selector: str
    category: str
    source: str
    meta: bool


@attrs.frozen
class ObjectField:
    name: str  # instance variable name, "1".."n" for indexed elements, or a key's printString
    value: Any
    print_string: str


@attrs.frozen
class ObjectView:
    class_name: str
    print_string: str
    named: tuple[ObjectField, ...]
    indexed: tuple[ObjectField, ...]
    size: int  # number of indexed elements / dictionary entries in total
    pairs: tuple[tuple[ObjectField, ObjectField], ...]  # dictionary key/value pairs


class DefinitionError(Exception):
    """Bad class definition or method source: `message`, plus line/column when known."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _cls(image: Image, name: str, meta: bool = False) -> STClass:
    c = image.globals.get(name)
    if not isinstance(c, STClass):
        raise KeyError(name)
    return c.cls if meta else c


def list_classes(image: Image) -> tuple[ClassInfo, ...]:
    out = []
    for c in sorted((v for v in image.globals.values() if isinstance(v, STClass)),
                    key=lambda c: c.name):
        out.append(ClassInfo(c.name, c.superclass.name if c.superclass else None, c.package,
                             c.comment))
    return tuple(out)


def class_definition(image: Image, name: str) -> str:
    return definition_string(_cls(image, name))


def instance_variable_names(image: Image, name: str, meta: bool = False) -> tuple[str, ...]:
    return tuple(_cls(image, name, meta).ivars)


def class_variable_names(image: Image, name: str) -> tuple[str, ...]:
    return tuple(_cls(image, name).classvars)


def superclass_chain(image: Image, name: str) -> tuple[str, ...]:
    out = []
    c = _cls(image, name).superclass
    while c is not None:
        out.append(c.name)
        c = c.superclass
    return tuple(out)


def subclasses(image: Image, name: str) -> tuple[str, ...]:
    return tuple(sorted(c.name for c in _cls(image, name).subclasses))


def methods(image: Image, name: str, meta: bool = False) -> tuple[MethodInfo, ...]:
    c = _cls(image, name, meta)
    return tuple(MethodInfo(name, m.selector, m.category, m.source, meta)
                 for m in sorted(c.methods.values(), key=lambda m: (m.category, m.selector)))


def methods_by_category(image: Image, name: str, meta: bool = False) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for m in methods(image, name, meta):
        out.setdefault(m.category, []).append(m.selector)
    return {k: tuple(v) for k, v in out.items()}


def method_source(image: Image, name: str, selector: str, meta: bool = False) -> str | None:
    m = _cls(image, name, meta).methods.get(selector)
    return m.source if m is not None else None


def _all_methods(image: Image):
    for c in list(image.all_classes):
        for side in (c, c.cls):
            for m in list(side.methods.values()):
                yield c, side is not c, m


def implementors(image: Image, selector: str) -> tuple[str, ...]:
    return tuple(sorted(f"{c.name}{' class' if meta else ''}"
                        for c, meta, m in _all_methods(image) if m.selector == selector))


def senders(image: Image, selector: str) -> tuple[str, ...]:
    out = []
    parts = [p + ":" for p in selector.split(":")[:-1]] if ":" in selector else [selector]
    for c, meta, m in _all_methods(image):
        if parts[0] not in m.source:
            continue
        words = {t.text if hasattr(t, "text") else m.source[t.start:t.stop]
                 for t in tokenize(m.source)}
        if all(p in words for p in parts) and m.selector != selector:
            out.append(f"{c.name}{' class' if meta else ''}>>{m.selector}")
    return tuple(sorted(out))


def selectors_understood(image: Image, obj: Any) -> tuple[str, ...]:
    """Every selector the object's class understands (for completion)."""
    sels: set[str] = set()
    c: STClass | None = image.class_of(obj)
    while c is not None:
        sels.update(c.methods)
        c = c.superclass
    return tuple(sorted(sels))


def class_selectors(image: Image, name: str, meta: bool = False) -> tuple[str, ...]:
    sels: set[str] = set()
    c: STClass | None = _cls(image, name, meta)
    while c is not None:
        sels.update(c.methods)
        c = c.superclass
    return tuple(sorted(sels))


def inspect(image: Image, obj: Any, limit: int = 100) -> ObjectView:
    """Named fields, indexed elements (first `limit`) and dictionary pairs of `obj`."""
    p = image.print_string
    cls = image.class_of(obj)
    named: list[ObjectField] = []
    indexed: list[ObjectField] = []
    pairs: list[tuple[ObjectField, ObjectField]] = []
    size = 0
    dict_cls = image.globals["Dictionary"]
    if isinstance(obj, STObject) and cls.inherits_from(dict_cls):
        table = obj.slots[0]
        size = len(table)
        for k, v in list(table.items())[:limit]:
            k = getattr(k, "o", k) if type(k).__name__ == "IdKey" else k
            pairs.append((ObjectField(p(k), k, p(k)), ObjectField(p(k), v, p(v))))
    elif isinstance(obj, STObject) and not isinstance(obj, STClass):
        hidden = type(obj.slots[0]) in (list, dict) if obj.slots else False
        for i, n in enumerate(cls.all_ivars()):
            v = obj.slots[i]
            if i == 0 and hidden:
                continue
            named.append(ObjectField(n, v, p(v)))
        elems = obj.items if isinstance(obj, STIndexed) else (
            obj.slots[0] if hidden and type(obj.slots[0]) is list else
            [getattr(k, "o", k) if type(k).__name__ == "IdKey" else k
             for k in obj.slots[0]] if hidden else [])
        size = len(elems)
        indexed = [ObjectField(str(i + 1), v, p(v)) for i, v in enumerate(elems[:limit])]
    elif type(obj) in (list, tuple, bytearray, bytes):
        size = len(obj)
        indexed = [ObjectField(str(i + 1), v, p(v)) for i, v in enumerate(list(obj)[:limit])]
    elif isinstance(obj, STString):
        size = len(obj.s)
    return ObjectView(cls.display_name(), p(obj), tuple(named), tuple(indexed), size,
                      tuple(pairs))


def define_class(image: Image, source: str) -> str:
    """Evaluate a class definition expression (either form); answer the class name."""
    outcome: EvalOutcome = image.evaluate(Workspace(), source)
    if not outcome.ok:
        raise DefinitionError(outcome.message_text or outcome.error_class, outcome.line,
                              outcome.column)
    if not isinstance(outcome.value, STClass):
        raise DefinitionError("the definition did not answer a class")
    return outcome.value.name


def compile_method(image: Image, class_name: str, source: str, category: str = "as yet "
                   "unclassified", meta: bool = False) -> str:
    """Compile and install a method; answer its selector."""
    try:
        return image.install_method(_cls(image, class_name, meta), source, category).selector
    except SmalltalkSyntaxError as e:
        raise DefinitionError(e.message, e.line, e.column) from None
    except CompileError as e:
        raise DefinitionError(e.message) from None


def remove_method(image: Image, class_name: str, selector: str, meta: bool = False) -> bool:
    return image.remove_method(_cls(image, class_name, meta), selector)
