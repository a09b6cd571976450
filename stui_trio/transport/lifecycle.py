"""The open/close lifecycle the transport's socket classes share.

A :class:`Closable` defines ``close()``; this mixin makes it a context manager both ways
(``with`` and ``async with``) and adds ``aclose()``, the Trio-style async close that also
checkpoints. :class:`~stui_trio.transport.socket.TrioSocket` and
:class:`~stui_trio.transport.router.RouterEndpoint` use it, so closing on the way out of a block
behaves the same for both.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import trio


class Closable:
    """Mixin: context-manager and ``aclose`` plumbing around a subclass's ``close()``."""

    def close(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        self.close()
        await trio.lowlevel.checkpoint()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
