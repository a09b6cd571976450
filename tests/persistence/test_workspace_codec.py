"""The workspace codec and the image change log, in process, on a real booted image.

Objects made by real Smalltalk code go through ``encode_workspace`` -> STON text ->
``decode_workspace`` and are checked with Smalltalk code again (identity with ``==``).
``ImageLog`` is run on a real file in a tmp dir: changes are committed, then a fresh image
replays them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stui_trio.sessions.image_log import ImageLog, decode_change, encode_change
from stui_trio.sessions.workspace_codec import (
    decode_workspace,
    encode_workspace,
    is_storable,
)
from stui_trio.smalltalk import Image, ImageChange
from stui_trio.storage.ston import dumps, loads

FOO = ("Object subclass: #Foo instanceVariableNames: 'x next' classVariableNames: '' "
       "package: 'Demo'")


@pytest.fixture(scope="module")
def image() -> Any:
    img = Image.boot()
    img.evaluate(img.new_workspace(), FOO)
    return img


def run(image: Any, ws: Any, code: str) -> str:
    out = image.evaluate(ws, code)
    assert out.kind == "success", (code, out.message_text)
    return out.print_string


def round_trip(image: Any, code: str, registry_names: tuple[str, ...] = ()) -> Any:
    ws = image.new_workspace()
    run(image, ws, code)
    registry = [(f"obj-{i}", ws.bindings[n]) for i, n in enumerate(registry_names, 1)]
    text = dumps(encode_workspace(image, dict(ws.bindings), registry, 9))
    restored = decode_workspace(image, loads(text))
    fresh = image.new_workspace()
    fresh.bindings.update(restored.bindings)
    return fresh, restored, text


def test_values_of_every_kind_round_trip(image: Any) -> None:
    ws, restored, text = round_trip(
        image,
        "i := 2 raisedTo: 200. n := -7. f := 0.1. fr := 3/4. sd := 1.25s2. s := 'it''s'. "
        "sym := #'a b'. ch := $z. t := true. z := nil. arr := #(1 $a 'x' #y). "
        "p := 3@4. as := #k -> 'v'. ba := #[1 2 255]. st := Set new. st add: 1; add: 'two'. "
        "d := Dictionary new. d at: 1 put: #one; at: 'two' put: 2. cls := Foo",
    )
    assert restored.not_restored == []
    checks = {
        "i = (2 raisedTo: 200)": "true", "n": "-7", "f": "0.1", "fr": "(3/4)",
        "sd": "1.25s2", "s": "'it''s'",
        "ba": "#[1 2 255]", "ba class": "ByteArray",
        "sym": "#'a b'", "ch": "$z", "t & z isNil": "true",
        "arr": "#(1 $a 'x' #y)", "p": "(3@4)", "as": "#k->'v'",
        "(st includes: 'two') & (st includes: 1) & (st size = 2)": "true",
        "((d at: 1) == #one) & ((d at: 'two') = 2)": "true", "cls == Foo": "true",
    }
    for code, expected in checks.items():
        assert run(image, ws, code) == expected, code
    assert "cls':Class[#Foo]" in text


def test_sharing_and_cycles_survive(image: Any) -> None:
    ws, restored, _ = round_trip(
        image,
        "a := Foo new. b := Array with: a with: a. c := OrderedCollection new. c add: c. "
        "a instVarNamed: 'next' put: a. d := Dictionary new. d at: a put: b. "
        "s := Set new. s add: a",
        registry_names=("a", "c"),
    )
    for code in ("(b at: 1) == (b at: 2)", "(c at: 1) == c", "(a instVarNamed: 'next') == a",
                 "(d at: a) == b", "s includes: a", "(s anyOne) == a"):
        assert run(image, ws, code) == "true", code
    registry = dict(restored.registry)
    assert registry["obj-1"] is ws.bindings["a"] and registry["obj-2"] is ws.bindings["c"]
    assert restored.registry_next == 9


def test_a_long_chain_is_not_limited_by_recursion(image: Any) -> None:
    ws, _restored, _ = round_trip(
        image,
        "head := Foo new. cur := head. 1 to: 5000 do: [:i | | n | n := Foo new. "
        "n instVarNamed: 'x' put: i. cur instVarNamed: 'next' put: n. cur := n]",
    )
    assert run(image, ws, "| k c | k := 0. c := head. [c notNil] whileTrue: [k := k + 1. "
                          "c := c instVarNamed: 'next']. k") == "5001"
    assert run(image, ws, "cur == (head instVarNamed: 'next') "
                          "| ((cur instVarNamed: 'x') = 5000)") == "true"


def test_unstorable_values_are_markers_listed_on_restore(image: Any) -> None:
    ws, restored, text = round_trip(
        image, "blk := [:x | x + 1]. rs := ReadStream on: #(1 2). "
               "mixed := Array with: 1 with: [2]. ok := 5",
    )
    assert "StuiUnstored{" in text
    names = {e["name"]: e for e in restored.not_restored}
    assert names["blk"]["print_string"] == "[:x | x + 1]"
    assert names["rs"]["class"] == "ReadStream"
    assert names["mixed"]["reason"].startswith("partly restored")
    assert "blk" not in ws.bindings and run(image, ws, "mixed") == "#(1 nil)"
    assert run(image, ws, "ok") == "5"
    assert not is_storable(image, image.evaluate(image.new_workspace(), "[1]").value)
    assert is_storable(image, image.evaluate(image.new_workspace(), "Foo new").value)


def test_instances_of_a_missing_class_are_listed(image: Any) -> None:
    text = "StuiWorkspace{#bindings:{'g':Gone{#x:1},'k':3},#registry:[],#next:1}"
    restored = decode_workspace(image, loads(text))
    assert restored.bindings == {"k": 3}
    assert restored.not_restored == [{"name": "g", "reason": "class Gone is missing"}]
    assert decode_workspace(image, loads("[1]")).not_restored[0]["name"] == "*"


def test_change_entries_round_trip() -> None:
    change = ImageChange("compile_method", "Foo", "bar", "bar ^'x'\n", "demo", True)
    assert ImageChange(**decode_change(encode_change(change))) == change
    assert encode_change(change).startswith(b"ImageChange{#kind:#compile_method,")
    with pytest.raises(ValueError):
        decode_change(b"Other{#kind:#x}")


async def test_image_log_commits_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "image.changes"
    first = Image.boot()
    log = ImageLog(path, first)
    async with log.running():
        ws = first.new_workspace()
        run(first, ws, FOO.replace("#Foo", "#Baz"))
        run(first, ws, "Baz compile: 'twice ^x * 2' classified: 'demo'. Baz")
        assert log.pending >= 1
        assert await log.commit() >= 1
        assert log.pending == 0
    assert log.appended >= 2
    second = Image.boot()
    replay = ImageLog(path, second)
    async with replay.running():
        assert replay.replayed == log.appended and replay.skipped == []
        assert run(second, second.new_workspace(),
                   "(Baz new instVarNamed: 'x' put: 4; yourself) twice") == "8"
        assert replay.pending == 0  # replaying is not logged again
