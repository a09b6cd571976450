"""Python primitives, one module per area, bound to kernel methods by `<primitive: 'name'>`.

Each module's `register(image, prims, limits)` adds `name -> function(receiver, *args)`. A
primitive answers a Smalltalk value, signals a Smalltalk error through `image.error`, or raises
`PrimitiveFailed` to run the method's Smalltalk fallback code. No primitive exposes a Python
object, file, process, network or import to Smalltalk code.
"""

from __future__ import annotations

from typing import Any

from stui_trio.smalltalk.primitives import (
    classdef,
    collections,
    hashed,
    numbers,
    objects,
    strings,
)


def register_all(image: Any, prims: dict, limits: Any) -> None:
    for module in (numbers, objects, collections, hashed, strings, classdef):
        module.register(image, prims, limits)
