"""Inspector paging and path navigation, inspector state, and the class list's filters.

The inspector sees objects only as `ObjectView`s; here the views are built from plain Python
values (named fields from a small record class, indexed elements from lists, pairs from dicts).
"""

from typing import Any

import attrs
import pytest

from stui_trio.protocol.errors import InvalidRequest, ObjectNotFound
from stui_trio.tools.browser import list_classes_page
from stui_trio.tools.engine_port import ObjectView
from stui_trio.tools.inspector import InspectorState, inspect_object, navigate
from stui_trio.tools.object_registry import ObjectRegistry


@attrs.define(eq=False)
class Assoc:
    key: Any
    value: Any


def view_of(obj: Any) -> ObjectView:
    text, name = summary(obj)
    if isinstance(obj, Assoc):
        return ObjectView(name, text, 1, (("key", obj.key), ("value", obj.value)))
    if isinstance(obj, dict):
        return ObjectView(name, text, 2, (("tally", len(obj)),), pairs=list(obj.items()))
    if isinstance(obj, list):
        return ObjectView(name, text, 3, (), indexed=obj)
    return ObjectView(name, text, 4, ())


def summary(obj: Any) -> tuple[str, str]:
    kind = {Assoc: "Association", dict: "Dictionary", list: "Array", int: "SmallInteger",
            str: "String"}[type(obj)]
    return (f"{obj.key!r}->{obj.value!r}" if isinstance(obj, Assoc) else repr(obj)), kind


def test_association_shows_key_and_value_with_refs() -> None:
    registry = ObjectRegistry(100)
    assoc = Assoc("a", [1, 2])
    result = inspect_object(assoc, view_of, summary, registry)
    assert result["class_name"] == "Association"
    assert [(f["name"], f["print_string"], f["class"]) for f in result["fields"]] == [
        ("key", "'a'", "String"), ("value", "[1, 2]", "Array")]
    value_ref = result["fields"][1]["object_ref"]
    assert registry.lookup(value_ref) is assoc.value
    assert registry.lookup(result["object_ref"]) is assoc


def test_dictionary_pairs_are_paged_with_key_and_value() -> None:
    registry = ObjectRegistry(100)
    d = {f"k{i}": i for i in range(10)}
    result = inspect_object(d, view_of, summary, registry, offset=8, limit=5)
    assert result["is_dictionary"] and result["size"] == 10
    page = result["indexed"]
    assert (page["offset"], page["limit"], page["total"]) == (8, 5, 10)
    assert [(i["index"], i["key"], i["value"]) for i in page["items"]] == [
        (9, "'k8'", "8"), (10, "'k9'", "9")]
    assert registry.lookup(page["items"][0]["key_ref"]) == "k8"


def test_indexed_paging_and_bad_bounds() -> None:
    registry = ObjectRegistry(1000)
    items = list(range(100, 350))
    result = inspect_object(items, view_of, summary, registry, offset=100, limit=3)
    assert [(i["index"], i["print_string"]) for i in result["indexed"]["items"]] == [
        (101, "200"), (102, "201"), (103, "202")]
    assert inspect_object(items, view_of, summary, registry, offset=999)["indexed"]["items"] == []
    with pytest.raises(InvalidRequest):
        inspect_object(items, view_of, summary, registry, offset=-1)
    with pytest.raises(InvalidRequest):
        inspect_object(items, view_of, summary, registry, limit=100_000)


def test_path_walks_fields_indices_and_keys_registering_each_step() -> None:
    registry = ObjectRegistry(100)
    inner = [10, Assoc("x", 42)]
    root = {"first": inner}
    assert navigate(root, ["first", 2, "value"], view_of, registry) == 42
    assert navigate(root, ["first", "1"], view_of, registry) == 10
    refs = dict(registry.items())
    assert any(obj is inner for obj in refs.values())
    with pytest.raises(ObjectNotFound) as caught:
        navigate(root, ["first", 7], view_of, registry)
    assert caught.value.details["path"] == ["first", 7]


def test_inspector_state_keeps_selection_and_bounded_history() -> None:
    state = InspectorState(capacity=3)
    for ref in ["obj-1", "obj-2", "obj-2", "obj-3", "obj-4"]:
        state.visit(ref)
    assert state.selection == "obj-4" and state.history == ["obj-2", "obj-3", "obj-4"]
    again = InspectorState.restore(state.snapshot(), capacity=3)
    assert again.snapshot() == state.snapshot()


CLASSES = [
    {"name": n, "superclass": "Object", "package": p, "comment": ""}
    for n, p in [("OrderedCollection", "Collections-Sequenceable"),
                 ("Set", "Collections-Unordered"), ("String", "Collections-Strings"),
                 ("Object", "Kernel-Objects"),
                 ("Ordinal", "Kernel-Numbers")]
]


def test_list_classes_glob_package_and_paging() -> None:
    page = list_classes_page(CLASSES, "Ord*", None, None, None)
    assert [c["name"] for c in page["classes"]] == ["OrderedCollection", "Ordinal"]
    assert page["total_count"] == 2
    page = list_classes_page(CLASSES, None, "collections-*", 1, 1)
    assert [c["name"] for c in page["classes"]] == ["Set"] and page["total_count"] == 3
    assert list_classes_page(CLASSES, "string", None, None, None)["total_count"] == 1
    assert list_classes_page(CLASSES, None, None, None, None)["total_count"] == 5
    with pytest.raises(InvalidRequest):
        list_classes_page(CLASSES, None, None, -1, None)
