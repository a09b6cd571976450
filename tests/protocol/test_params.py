"""Strict parameter structuring: wrong types are named, never coerced."""

from __future__ import annotations

from typing import Any, Literal

import attrs
import pytest

from stui_trio.protocol.errors import InvalidRequest
from stui_trio.protocol.params import structure


@attrs.frozen
class Inner:
    tags: list[str] = attrs.field(factory=list)


@attrs.frozen
class Spec:
    code: str
    limit: int | None = None
    ratio: float = 1.0
    flag: bool = False
    mode: Literal["print", "do"] = "print"
    inner: Inner | None = None
    state: dict[str, Any] = attrs.field(factory=dict)


def test_good_values_and_ignored_extras() -> None:
    spec = structure(Spec, {"code": "x", "limit": 3, "ratio": 2, "flag": True, "mode": "do",
                            "inner": {"tags": ["a"]}, "unrelated": 1, "state": {"k": []}},
                     "cmd")
    assert spec == Spec("x", 3, 2.0, True, "do", Inner(["a"]), {"k": []})
    assert structure(Spec, {"code": "x", "limit": None}, "cmd").limit is None


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({}, "code", "is required"),
        ({"code": 1}, "code", "expected a string, got number"),
        ({"code": "x", "limit": "3"}, "limit", "expected an integer, got string"),
        ({"code": "x", "limit": True}, "limit", "expected an integer, got boolean"),
        ({"code": "x", "ratio": "1"}, "ratio", "expected a number"),
        ({"code": "x", "flag": 1}, "flag", "expected true or false"),
        ({"code": "x", "mode": "run"}, "mode", "run"),
        ({"code": "x", "inner": []}, "inner", "expected an object, got array"),
        ({"code": "x", "inner": {"tags": "ab"}}, "inner.tags", "expected an array"),
        ({"code": "x", "state": "s"}, "state", "expected an object"),
    ],
)
def test_bad_values_name_the_field(params: dict, field: str, words: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        structure(Spec, params, "cmd")
    assert f"field '{field}'" in info.value.message and words in info.value.message
    assert info.value.details == {"fields": [field]}
    assert "'cmd'" in info.value.message
