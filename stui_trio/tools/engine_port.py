"""Where the tools layer adapts the Smalltalk engine's API to the protocol's needs.

The tools use the engine's public API directly (`Image`, `Workspace`, `InterruptToken`,
`EvalOutcome`, `image.print_string`, `image.activated`...). This module holds only what adds
something on top of it:

- `evaluate`: an engine evaluation whose Transcript sink is emptied afterwards (the tools keep
  the session's Transcript themselves, in a bounded ring);
- `ObjectView` / `object_view`: the inspector's engine-independent view of one object;
- `define_class` / `compile_method`: image changes with engine failures turned into the
  protocol's errors;
- `image_info`: image facts for `system_info`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from stui_trio.protocol.errors import (
    ClassNotFound,
    EvaluationError,
    InvalidRequest,
    SyntaxError_,
)
from stui_trio.smalltalk import Image, InterruptToken, Workspace
from stui_trio.smalltalk.ast import position_of
from stui_trio.smalltalk.compiler import CompileError
from stui_trio.smalltalk.parser import SmalltalkSyntaxError
from stui_trio.smalltalk.runtime.objects import STClass, STIndexed, STObject
from stui_trio.smalltalk.values import EvalOutcome
from stui_trio.tools import image_reflection


@attrs.frozen
class ObjectView:
    """What an inspector shows of one object: named fields, then indexed elements or pairs."""

    class_name: str
    print_string: str
    hash: int
    named: tuple[tuple[str, Any], ...]
    indexed: Sequence[Any] | None = None  # elements, 1-based in Smalltalk
    pairs: Sequence[tuple[Any, Any]] | None = None  # dictionary associations

    @property
    def size(self) -> int:
        if self.pairs is not None:
            return len(self.pairs)
        return len(self.indexed) if self.indexed is not None else 0


# -- evaluation ---------------------------------------------------------------------------------


def evaluate(image: Image, workspace: Workspace, source: str,
             token: InterruptToken) -> EvalOutcome:
    """Run `source` in `workspace` (blocking: call from a worker thread)."""
    out = image.evaluate(workspace, source, token)
    # The tools keep the session's Transcript themselves (a bounded ring); empty the engine's
    # sink so it never fills up (it stops taking output at its size limit).
    workspace.transcript.drain()
    return out


# -- inspection ---------------------------------------------------------------------------------


def _is_kind_of(image: Image, obj: Any, class_name: str) -> bool:
    return class_name in image.globals and image.is_kind_of(obj, class_name)


def object_view(image: Image, obj: Any) -> ObjectView:
    """Fields of `obj` for the inspector (call inside `image.activated`: it sends messages)."""
    named: list[tuple[str, Any]] = []
    if isinstance(obj, STClass):
        named = [("name", image.intern(obj.name)), ("superclass", obj.superclass)]
    elif isinstance(obj, STObject):
        is_collection = _is_kind_of(image, obj, "Collection")
        for name, value in zip(obj.cls.all_ivars(), obj.slots, strict=False):
            if isinstance(value, dict | set) or (is_collection and type(value) is list):
                continue  # a collection's internal storage: shown as its elements instead
            named.append((name, value))
    indexed: Sequence[Any] | None = None
    pairs: Sequence[tuple[Any, Any]] | None = None
    if _is_kind_of(image, obj, "Dictionary"):
        assocs = image.send(obj, "associations")
        pairs = [(image.send(a, "key"), image.send(a, "value")) for a in _as_list(image, assocs)]
    elif isinstance(obj, list | tuple | bytearray):
        indexed = list(obj)
    elif isinstance(obj, STIndexed):
        indexed = list(obj.items)
    elif _is_kind_of(image, obj, "Collection"):
        indexed = _as_list(image, image.send(obj, "asArray"))
    return ObjectView(
        class_name=image.class_name_of(obj),
        print_string=image.print_string(obj),
        hash=_hash(image, obj),
        named=tuple(named),
        indexed=indexed,
        pairs=pairs,
    )


def _as_list(image: Image, array: Any) -> list[Any]:
    if isinstance(array, list | tuple):
        return list(array)
    return [image.send(array, "at:", i) for i in range(1, image.send(array, "size") + 1)]


def _hash(image: Image, obj: Any) -> int:
    try:
        return int(image.st_hash(obj))
    except Exception:  # a user-defined #hash that fails must not break the inspector
        return id(obj) & 0x3FFFFFFF


# -- image changes ------------------------------------------------------------------------------


def define_class(image: Image, definition: str, token: InterruptToken) -> dict[str, Any]:
    """Run a class-definition expression (classic or fluid form) and answer what it made."""
    before = {name for name, value in image.globals.items() if isinstance(value, STClass)}
    result = evaluate(image, image.new_workspace(), definition, token)
    if result.kind == "syntax":
        raise SyntaxError_(
            f"syntax error at line {result.line}, column {result.column}: "
            f"{result.message_text}",
            {"line": result.line, "column": result.column, "expected": result.expected},
        )
    if result.kind != "success":
        raise EvaluationError(
            f"the class definition failed: {result.error_class}: {result.message_text}",
            {"error_class": result.error_class, "message_text": result.message_text,
             "stack": [attrs.asdict(f) for f in result.stack]},
        )
    cls = result.value
    if not isinstance(cls, STClass) or cls.meta_of is not None:
        raise InvalidRequest(
            "field 'definition' must be a class definition such as \"Object subclass: #Foo "
            "instanceVariableNames: 'a' classVariableNames: '' package: 'Demo'\" (it "
            f"answered {result.print_string!r})",
            {"field": "definition"},
        )
    created = cls.name not in before
    return {"class_name": cls.name, "created": created, "changed": not created}


def compile_method(
    image: Image, class_name: str, source: str, category: str | None, class_side: bool
) -> dict[str, Any]:
    cls = image_reflection.find_class(image, class_name)
    if cls is None:
        raise ClassNotFound(f"no class named {class_name!r}", {"class_name": class_name})
    target = cls.cls if class_side else cls
    try:
        cm = image.install_method(target, source, category or "as yet unclassified")
    except SmalltalkSyntaxError as exc:
        raise SyntaxError_(
            f"syntax error at line {exc.line}, column {exc.column}: {exc.message}",
            {"line": exc.line, "column": exc.column, "expected": exc.expected,
             "offset": exc.offset},
        ) from None
    except CompileError as exc:
        line, column = position_of(source, exc.offset)
        raise SyntaxError_(
            f"cannot compile: line {line}, column {column}: {exc.message}",
            {"line": line, "column": column, "expected": "", "offset": exc.offset},
        ) from None
    return {"selector": cm.selector, "class_name": class_name, "is_class_method": class_side,
            "category": cm.category}


def image_info(image: Image) -> dict[str, Any]:
    """Image facts for system_info."""
    return {
        "available": True,
        "classes": len(image_reflection.class_entries(image)),
        "kernel_methods": getattr(image, "kernel_methods", None),
        "boot_seconds": round(getattr(image, "boot_seconds", 0.0), 3),
    }
