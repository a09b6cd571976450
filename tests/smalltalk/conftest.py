"""Shared pieces of the engine tests: an image per test module, and the print-it helper.

`image` is booted once per module (module scope), so a module's class definitions never leak
into another module; a module that needs other limits defines its own `image` fixture.
`ps(image, src)` evaluates a doit in a fresh workspace and answers its printString, failing
the test with the error if the doit did not succeed.
"""

from __future__ import annotations

import pytest

from stui_trio.smalltalk import Image


@pytest.fixture(scope="module")
def image() -> Image:
    return Image.boot()


def ps(image: Image, src: str) -> str:
    o = image.evaluate(image.new_workspace(), src)
    assert o.ok, (src, o.error_class, o.message_text)
    return o.print_string
