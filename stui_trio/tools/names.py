"""Completion's view of the image and one session's workspace (`completion.NameSource`).

Caches the image-wide lists (class names, all selectors) per `ImageNames` object, which lives
for one `complete` request: the image may change between requests (a class defined by any
client), never during one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stui_trio.tools import image_reflection
from stui_trio.tools.completion import Receiver


class ImageNames:
    def __init__(self, image: Any, workspace: Any) -> None:
        self._image = image
        self._workspace = workspace
        self._globals: list[str] | None = None
        self._selectors: list[str] | None = None

    def workspace_variables(self) -> Iterable[str]:
        return list(self._workspace.bindings)

    def global_names(self) -> Iterable[str]:
        if self._globals is None:
            self._globals = image_reflection.global_names(self._image)
        return self._globals

    def class_of_variable(self, name: str) -> str | None:
        """Class of a workspace variable or, failing that, of a global (`Transcript`; a class
        global answers "Foo class", which completion reads as Foo's class side)."""
        for scope in (self._workspace.bindings, self._image.globals):
            if name in scope:
                return self._image.class_name_of(scope[name])
        return None

    def is_class_name(self, name: str) -> bool:
        return image_reflection.find_class(self._image, name) is not None

    def selectors_of(self, receiver: Receiver) -> Iterable[str] | None:
        return image_reflection.selectors_understood(
            self._image, receiver.class_name, receiver.class_side
        )

    def all_selectors(self) -> Iterable[str]:
        if self._selectors is None:
            self._selectors = image_reflection.all_selectors(self._image)
        return self._selectors
