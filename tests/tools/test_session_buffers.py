"""Transcript, history and object registry: the bounded per-session buffers of the tools."""

import pytest

from stui_trio.tools.history import History
from stui_trio.tools.object_registry import ObjectRegistry
from stui_trio.tools.transcript import Transcript


def test_transcript_numbers_entries_and_pages_by_sequence() -> None:
    transcript = Transcript(capacity=10)
    assert transcript.write("hello") == 1
    assert transcript.write("") is None  # nothing written, nothing numbered
    assert transcript.write("world\n") == 2
    page = transcript.since(0)
    assert [(e.seq, e.text) for e in page.entries] == [(1, "hello"), (2, "world\n")]
    assert page.next == 2 and page.missed == 0
    assert transcript.since(2).entries == () and transcript.since(2).next == 2
    assert [e.seq for e in transcript.since(1).entries] == [2]


def test_transcript_ring_drops_oldest_and_reports_what_was_missed() -> None:
    transcript = Transcript(capacity=3)
    for i in range(1, 8):
        transcript.write(f"line {i}")
    page = transcript.since(0)
    assert [e.seq for e in page.entries] == [5, 6, 7]
    assert page.missed == 4
    assert transcript.since(5).missed == 0
    limited = transcript.since(0, limit=2)
    assert [e.seq for e in limited.entries] == [5, 6] and limited.next == 6


def test_transcript_restored_from_entries_continues_numbering() -> None:
    first = Transcript(capacity=5)
    first.write("a")
    first.write("b")
    second = Transcript(capacity=5, entries=first.entries_json())
    assert second.write("c") == 3


def test_history_is_bounded_and_numbered() -> None:
    history = History(capacity=2)
    for i in range(3):
        history.record(f"{i} + 1", str(i + 1), "SmallInteger", False, "2026-01-01T00:00:00.000Z")
    assert [e["seq"] for e in history.latest_json()] == [2, 3]
    assert [e["code"] for e in history.latest_json(1)] == ["2 + 1"]


def test_registry_gives_one_reference_per_object_and_drops_least_recently_used() -> None:
    registry = ObjectRegistry(capacity=2)
    a, b, c = object(), object(), object()
    ref_a = registry.register(a)
    assert registry.register(a) == ref_a
    ref_b = registry.register(b)
    registry.lookup(ref_a)  # a is now the most recently used
    ref_c = registry.register(c)
    assert registry.lookup(ref_a) is a and registry.lookup(ref_c) is c
    with pytest.raises(KeyError):
        registry.lookup(ref_b)
    assert registry.register(b) not in (ref_a, ref_b, ref_c)


def test_registry_restore_keeps_names_and_continues_numbering() -> None:
    registry = ObjectRegistry(capacity=10)
    value = object()
    registry.restore([("obj-7", value)])
    assert registry.lookup("obj-7") is value
    assert registry.register(value) == "obj-7"
    assert registry.register(object()) == "obj-8"


@pytest.mark.parametrize("cls", [Transcript, History, ObjectRegistry])
def test_capacity_must_be_positive(cls: type) -> None:
    with pytest.raises(ValueError):
        cls(capacity=0)
