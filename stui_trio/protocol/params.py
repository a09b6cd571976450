"""Typed command parameters: each command declares an attrs class, cattrs structures it.

The converter here is strict (JSON ``"3"`` is not an int, ``1`` is not a bool, a string is not a
list) because a client that sends the wrong type should hear about it, not get a guess. Failures
become one ``InvalidRequest`` naming every offending field, e.g.
``field 'timeout_ms': expected an integer, got string``.

Only the keys a spec declares are read; others are ignored (the top-level fallback of the command
dialect puts unrelated keys beside them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn

from stui_trio.protocol.dialects import json_type
from stui_trio.protocol.errors import InvalidRequest

T = TypeVar("T")


class _WrongType(ValueError):
    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(f"expected {expected}, got {json_type(value)}")


def _strict(expected: str, check: Any, convert: Any = None) -> Any:
    def hook(value: Any, _type: Any) -> Any:
        if not check(value):
            raise _WrongType(expected, value)
        return convert(value) if convert else value

    return hook


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_structure_hook(str, _strict("a string", lambda v: isinstance(v, str)))
    conv.register_structure_hook(
        int,
        _strict("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    )
    conv.register_structure_hook(
        float,
        _strict(
            "a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool), float
        ),
    )
    conv.register_structure_hook(bool, _strict("true or false", lambda v: isinstance(v, bool)))
    conv.register_structure_hook(Any, lambda v, _t: v)

    def is_dict(t: Any) -> bool:
        return t is dict or get_origin(t) is dict

    def is_list(t: Any) -> bool:
        return t is list or get_origin(t) is list

    def dict_hook(value: Any, _t: Any) -> Any:
        if not isinstance(value, dict):
            raise _WrongType("an object", value)
        return value

    def list_hook(value: Any, t: Any) -> Any:
        if not isinstance(value, list):
            raise _WrongType("an array", value)
        args = get_args(t)
        if not args or args[0] is Any:
            return value
        return [conv.structure(item, args[0]) for item in value]

    def attrs_factory(cls: type) -> Any:
        inner = make_dict_structure_fn(cls, conv)

        def hook(value: Any, t: Any) -> Any:
            if not isinstance(value, dict):
                raise _WrongType("an object", value)
            return inner(value, t)

        return hook

    conv.register_structure_hook_factory(attrs.has, attrs_factory)
    conv.register_structure_hook_func(is_dict, dict_hook)
    conv.register_structure_hook_func(is_list, list_hook)
    return conv


CONVERTER = _make_converter()


def _describe(exc: BaseException, path: str) -> str:
    if isinstance(exc, KeyError):
        return f"field '{path}' is required"
    if isinstance(exc, _WrongType | ValueError | TypeError):
        return f"field '{path}': {exc}"
    return f"field '{path}': invalid ({exc})"


def _walk(exc: BaseException, prefix: str, out: list[str]) -> None:
    if isinstance(exc, ClassValidationError | cattrs.IterableValidationError):
        for sub in exc.exceptions:
            name = prefix
            for note in getattr(sub, "__notes__", []):
                if isinstance(note, cattrs.AttributeValidationNote):
                    name = f"{prefix}.{note.name}" if prefix else note.name
                elif isinstance(note, cattrs.IterableValidationNote):
                    name = f"{prefix}[{note.index}]"
            _walk(sub, name, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        out.append(f"unexpected fields {sorted(exc.extra_fields)}")
    else:
        out.append(_describe(exc, prefix or "parameters"))


@functools.cache
def _plan(spec: type) -> tuple[frozenset[str], Callable[[Any, Any], Any]]:
    """What :func:`structure` needs of a spec class, worked out once per class (memoised: a
    pure function of the class): its field names and its cattrs structure hook. (A hand-made
    type check per field instead of the hook was measured: no faster than cattrs' generated
    code.)"""
    names = frozenset(a.name for a in attrs.fields(spec))
    return names, CONVERTER.get_structure_hook(spec)


def structure(spec: type[T], params: Mapping[str, Any], command: str) -> T:
    """Structure ``params`` into ``spec``; raise ``InvalidRequest`` naming the bad fields."""
    names, hook = _plan(spec)
    picked = {k: v for k, v in params.items() if k in names and v is not None}
    try:
        return hook(picked, spec)  # type: ignore[no-any-return]
    except Exception as exc:
        problems: list[str] = []
        _walk(exc, "", problems)
        fields = [p.split("'")[1] for p in problems if p.startswith("field '")]
        raise InvalidRequest(
            f"invalid parameters for '{command}': " + "; ".join(problems),
            {"fields": fields},
        ) from None
