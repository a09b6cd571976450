"""Browser facts read off the shared image: classes, definitions, methods, senders.

The engine's runtime keeps classes as `STClass` objects (name, superclass, ivars, classvars,
package, comment, method dictionary of `CompiledMethod`s with their source) in
`image.all_classes` and `image.globals`. This module reads them - never writes - and answers in
the shapes of the protocol's browser commands. Together with `engine_port` it is where the tools
reach past the engine's public API into its object model.

Senders are found by parsing each method's source once (cached per CompiledMethod object, so a
recompiled method is parsed again) and collecting the selectors of its message nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from stui_trio.smalltalk import ast as A
from stui_trio.smalltalk.parser import SmalltalkSyntaxError, parse_method


def _classes(image: Any) -> list[Any]:
    return [c for c in list(image.all_classes) if getattr(c, "meta_of", None) is None]


def find_class(image: Any, name: str) -> Any | None:
    found = image.globals.get(name)
    if found is not None and hasattr(found, "methods") and getattr(found, "meta_of", 1) is None:
        return found
    return None


def class_entries(image: Any) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "superclass": c.superclass.name if c.superclass else None,
         "package": c.package or c.category or "", "comment": c.comment or ""}
        for c in _classes(image)
    ]


def _chain(cls: Any) -> Iterator[Any]:
    while cls is not None:
        yield cls
        cls = cls.superclass


def definition_string(cls: Any) -> str:
    """The class's definition in Pharo's classic message form."""
    kind = {"variable": "variableSubclass:", "bytes": "variableByteSubclass:",
            "words": "variableWordSubclass:"}.get(cls.kind, "subclass:")
    superclass = cls.superclass.name if cls.superclass else "nil"
    return (
        f"{superclass} {kind} #{cls.name}\n"
        f"\tinstanceVariableNames: '{' '.join(cls.ivars)}'\n"
        f"\tclassVariableNames: '{' '.join(cls.classvars)}'\n"
        f"\tpackage: '{cls.package or cls.category or ''}'"
    )


def _method_entry(cm: Any, include_source: bool) -> dict[str, Any]:
    entry = {"selector": cm.selector, "category": cm.category or "as yet unclassified"}
    if include_source:
        entry["source"] = cm.source
    return entry


def describe_class(image: Any, name: str, include_source: bool) -> dict[str, Any] | None:
    cls = find_class(image, name)
    if cls is None:
        return None
    meta = cls.cls
    by_category: dict[str, list[str]] = {}
    for selector, cm in sorted(cls.methods.items()):
        by_category.setdefault(cm.category or "as yet unclassified", []).append(selector)
    return {
        "class_info": {
            "name": cls.name,
            "superclass": cls.superclass.name if cls.superclass else None,
            "package": cls.package or cls.category or "",
            "comment": cls.comment or "",
            "definition": definition_string(cls),
        },
        "instance_vars": list(cls.ivars),
        "all_instance_vars": list(cls.all_ivars()),
        "class_vars": list(cls.classvars),
        "class_instance_vars": list(getattr(meta, "ivars", []) or []),
        "instance_methods": [_method_entry(cm, include_source)
                             for _, cm in sorted(cls.methods.items())],
        "class_methods": [_method_entry(cm, include_source)
                          for _, cm in sorted(getattr(meta, "methods", {}).items())],
        "methods_by_category": by_category,
        "subclasses": sorted(s.name for s in cls.subclasses),
        "superclass_chain": [c.name for c in _chain(cls.superclass)],
    }


def describe_method(
    image: Any, class_name: str, selector: str, class_side: bool
) -> dict[str, Any] | None:
    cls = find_class(image, class_name)
    if cls is None:
        return None
    owner = cls.cls if class_side else cls
    cm = owner.methods.get(selector)
    if cm is None:
        return None
    return {
        "name": selector, "selector": selector, "source": cm.source,
        "category": cm.category or "as yet unclassified",
        "arguments": list(cm.arg_names), "is_class_method": class_side,
        "defined_in": class_name, "class_name": class_name,
    }


def _all_behaviors(image: Any) -> Iterator[tuple[Any, bool]]:
    for cls in _classes(image):
        yield cls, False
        if cls.cls is not None:
            yield cls.cls, True


@attrs.define
class SendIndex:
    """Selectors sent by each method, parsed lazily and cached per CompiledMethod."""

    cache: dict[int, tuple[Any, frozenset[str]]] = attrs.field(factory=dict)

    def sent_by(self, cm: Any) -> frozenset[str]:
        hit = self.cache.get(id(cm))
        if hit is not None and hit[0] is cm:
            return hit[1]
        try:
            found = frozenset(_sends(parse_method(cm.source)))
        except (SmalltalkSyntaxError, RecursionError):
            found = frozenset()
        self.cache[id(cm)] = (cm, found)
        return found


def _sends(node: Any) -> Iterator[str]:
    if isinstance(node, A.MessageNode):
        yield node.selector
    if isinstance(node, A.LiteralNode) and isinstance(node.value, A.SymbolLiteral):
        yield node.value.name  # `perform: #foo` and `collect: #foo` count as sending #foo
    if attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            yield from _sends(getattr(node, field.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _sends(item)


def senders(image: Any, selector: str, index: SendIndex) -> list[dict[str, Any]]:
    out = []
    for behavior, meta in _all_behaviors(image):
        for sel, cm in list(behavior.methods.items()):
            if cm.source and selector in index.sent_by(cm):
                out.append({"class_name": (behavior.meta_of or behavior).name, "selector": sel,
                            "is_class_method": meta})
    return sorted(out, key=lambda m: (m["class_name"], m["is_class_method"], m["selector"]))


def implementors(image: Any, selector: str) -> list[dict[str, Any]]:
    out = [
        {"class_name": (behavior.meta_of or behavior).name, "selector": selector,
         "is_class_method": meta}
        for behavior, meta in _all_behaviors(image) if selector in behavior.methods
    ]
    return sorted(out, key=lambda m: (m["class_name"], m["is_class_method"]))


def selectors_understood(image: Any, class_name: str, class_side: bool) -> list[str] | None:
    cls = find_class(image, class_name)
    if cls is None:
        return None
    found: set[str] = set()
    for behavior in _chain(cls.cls if class_side else cls):
        found.update(behavior.methods)
    return sorted(found)


def all_selectors(image: Any) -> list[str]:
    found: set[str] = set()
    for behavior, _meta in _all_behaviors(image):
        found.update(behavior.methods)
    return sorted(found)


def global_names(image: Any) -> list[str]:
    return sorted(str(name) for name in list(image.globals))
