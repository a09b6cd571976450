"""The one place the tools layer touches the Smalltalk engine.

Everything the tools need from `stui_trio.smalltalk` goes through the functions here and comes
back as the small frozen values defined here (`EvalResult`, `ObjectView`, ...). When the engine's
API is renamed or reshaped, this file is the one to fix; evaluator, inspector, browser and
completion never import the engine themselves.

The engine is imported lazily (inside the functions), so the tools package imports - and its
pure logic is tested - even in a tree where the engine is still being built.

Engine API assumed (issue 4 / the engine helper's plan):
    Image.boot() -> image;  image.new_workspace() -> workspace (`bindings` dict, `transcript`
    sink with `drain()`);  image.evaluate(workspace, source, token) -> EvalOutcome;
    InterruptToken().interrupt(reason);  image.print_string / display_string / class_name_of;
    stui_trio.smalltalk.reflection: class listing, class facts, methods, senders/implementors,
    selectors understood, object fields, define_class, compile_method.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs


@attrs.frozen
class Frame:
    class_name: str
    selector: str
    line: int | None


@attrs.frozen
class EvalResult:
    """One evaluation's outcome, engine-independent.

    `kind` is "success", "syntax", "error", "interrupted" or "timeout".
    """

    kind: str
    value: Any = None
    print_string: str = ""
    class_name: str = ""
    bindings_changed: tuple[str, ...] = ()
    transcript_output: str = ""
    error_class: str = ""
    message_text: str = ""
    stack: tuple[Frame, ...] = ()
    line: int | None = None
    column: int | None = None
    expected: str = ""


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


def _engine() -> Any:
    from stui_trio.smalltalk import image as image_module

    return image_module


def _values() -> Any:
    from stui_trio.smalltalk import values

    return values


# -- image, workspaces, evaluation --------------------------------------------------------------


def boot_image() -> Any:
    return _engine().Image.boot()


def new_workspace(image: Any) -> Any:
    return image.new_workspace()


def bindings(workspace: Any) -> Mapping[str, Any]:
    return workspace.bindings


def new_token() -> Any:
    return _values().InterruptToken()


def interrupt(token: Any, reason: str) -> None:
    token.interrupt(reason)


def evaluate(image: Any, workspace: Any, source: str, token: Any) -> EvalResult:
    """Run `source` in `workspace` (blocking: call from a worker thread)."""
    out = image.evaluate(workspace, source, token)
    # The tools keep the session's Transcript themselves (a bounded ring); empty the engine's
    # sink so it never fills up (it stops taking output at its size limit).
    drain = getattr(getattr(workspace, "transcript", None), "drain", None)
    if drain is not None:
        drain()
    if getattr(out, "ok", getattr(out, "kind", "success") == "success"):
        return EvalResult(
            kind="success",
            value=out.value,
            print_string=out.print_string,
            class_name=out.class_name,
            bindings_changed=tuple(getattr(out, "bindings_changed", ()) or ()),
            transcript_output=getattr(out, "transcript_output", "") or "",
        )
    return EvalResult(
        kind=out.kind,
        error_class=getattr(out, "error_class", "") or "",
        message_text=getattr(out, "message_text", "") or "",
        stack=tuple(
            Frame(f.class_name, f.selector, getattr(f, "line", None))
            for f in getattr(out, "stack", ()) or ()
        ),
        transcript_output=getattr(out, "transcript_output", "") or "",
        line=getattr(out, "line", None),
        column=getattr(out, "column", None),
        expected=getattr(out, "expected", "") or "",
    )


def print_string(image: Any, obj: Any) -> str:
    return image.print_string(obj)


def display_string(image: Any, obj: Any) -> str:
    return image.display_string(obj)


def class_name_of(image: Any, obj: Any) -> str:
    return image.class_name_of(obj)


# -- reflection ---------------------------------------------------------------------------------


@contextmanager
def guarded(image: Any, token: Any, workspace: Any = None) -> Iterator[None]:
    """Run Smalltalk sends from tool code (printString of a field, `associations`...) in this
    thread under `token`, as `image.evaluate` runs a doit: a runaway `printOn:` then stops at
    the token's interrupt like any evaluation. (Mirrors the engine's `Image.run` set-up.)"""
    from stui_trio.smalltalk.runtime.control import EvalContext

    previous = getattr(image._tls, "ctx", None)
    image.set_ctx(EvalContext(token, workspace))
    with image.lock:
        image.active_tokens.add(token)
    token.attach(image.poll_flag)
    try:
        yield
    finally:
        token.detach(image.poll_flag)
        with image.lock:
            image.active_tokens.discard(token)
            image.poll_flag[0] = any(t.is_set for t in image.active_tokens)
        image.set_ctx(previous)


def _is_kind_of(image: Any, obj: Any, class_name: str) -> bool:
    return class_name in image.globals and image.is_kind_of(obj, class_name)


def object_view(image: Any, obj: Any) -> ObjectView:
    """Fields of `obj` for the inspector (call inside `guarded`: it sends messages)."""
    from stui_trio.smalltalk.runtime.objects import STClass, STIndexed, STObject

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
        class_name=class_name_of(image, obj),
        print_string=print_string(image, obj),
        hash=_hash(image, obj),
        named=tuple(named),
        indexed=indexed,
        pairs=pairs,
    )


def _as_list(image: Any, array: Any) -> list[Any]:
    if isinstance(array, list | tuple):
        return list(array)
    return [image.send(array, "at:", i) for i in range(1, image.send(array, "size") + 1)]


def _hash(image: Any, obj: Any) -> int:
    try:
        return int(image.st_hash(obj))
    except Exception:  # a user-defined #hash that fails must not break the inspector
        return id(obj) & 0x3FFFFFFF


# -- image changes ------------------------------------------------------------------------------


def define_class(image: Any, definition: str, token: Any) -> dict[str, Any]:
    """Run a class-definition expression (classic or fluid form) and answer what it made."""
    from stui_trio.protocol.errors import EvaluationError, InvalidRequest
    from stui_trio.smalltalk.runtime.objects import STClass

    before = {name for name, value in image.globals.items() if isinstance(value, STClass)}
    result = evaluate(image, new_workspace(image), definition, token)
    if result.kind == "syntax":
        from stui_trio.protocol.errors import SyntaxError_

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
    image: Any, class_name: str, source: str, category: str | None, class_side: bool
) -> dict[str, Any]:
    from stui_trio.protocol.errors import ClassNotFound, SyntaxError_
    from stui_trio.smalltalk.compiler import CompileError
    from stui_trio.smalltalk.parser import SmalltalkSyntaxError
    from stui_trio.tools.image_reflection import find_class

    cls = find_class(image, class_name)
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
        from stui_trio.smalltalk.ast import position_of

        line, column = position_of(source, exc.offset)
        raise SyntaxError_(
            f"cannot compile: line {line}, column {column}: {exc.message}",
            {"line": line, "column": column, "expected": "", "offset": exc.offset},
        ) from None
    return {"selector": cm.selector, "class_name": class_name, "is_class_method": class_side,
            "category": cm.category}


def image_info(image: Any) -> dict[str, Any]:
    """Image facts for system_info."""
    from stui_trio.tools import image_reflection

    return {
        "available": True,
        "classes": len(image_reflection.class_entries(image)),
        "kernel_methods": getattr(image, "kernel_methods", None),
        "boot_seconds": round(getattr(image, "boot_seconds", 0.0), 3),
    }
