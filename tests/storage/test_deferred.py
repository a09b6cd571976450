"""The index of journaled saves not written yet: per-client lookups and running totals."""

from __future__ import annotations

from stui_trio.storage.deferred import DeferredSaves


def test_running_totals_follow_puts_and_drops() -> None:
    saves = DeferredSaves(overhead=10)
    saves.put(("a", "s1"), b"x" * 100, 1)
    saves.put(("a", "s2"), b"y" * 50, 1)
    saves.put(("b", "s1"), b"z" * 7, 3)
    assert saves.bytes_of("a") == 170 and saves.bytes_of("b") == 17
    assert saves.bytes_of("a", besides="s1") == 60  # the session being saved again
    saves.put(("a", "s1"), b"x" * 20, 2)  # a newer save replaces the older one
    assert saves.bytes_of("a") == 90 and saves.get(("a", "s1")) == (b"x" * 20, 2)
    assert saves.sessions_of("a") == {"s1", "s2"} and saves.sessions_of("c") == set()
    assert saves.drop(("a", "s2")) and not saves.drop(("a", "s2"))
    assert saves.bytes_of("a") == 30


def test_drop_of_a_superseded_entry_keeps_the_newer_one() -> None:
    """The checkpoint drops what it wrote only if no newer save came meanwhile."""
    saves = DeferredSaves()
    saves.put(("a", "s"), b"old", 1)
    written = saves.get(("a", "s"))
    saves.put(("a", "s"), b"new", 2)
    assert written is not None and not saves.drop(("a", "s"), written)
    assert saves.get(("a", "s")) == (b"new", 2)
    newest = saves.get(("a", "s"))
    assert saves.drop(("a", "s"), newest) and saves.get(("a", "s")) is None
    assert saves.bytes_of("a") == 0 and saves.sessions_of("a") == set()
