"""The compiled-doit cache: re-running a doit skips compilation and behaves exactly as before.

Each test checks a way a cached compilation could go stale or leak between runs: new or
removed global names (class definitions, direct table changes), redefined classes and methods,
workspace variables bound after the doit was first compiled, literal objects, and two
workspaces running the same text.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from stui_trio.smalltalk import Image
from stui_trio.smalltalk.compiler import DoitCache, PreparedDoit
from stui_trio.smalltalk.values import Workspace


@pytest.fixture
def image() -> Image:
    # a fresh image per test: these tests add classes and globals
    return Image.boot()


def run(image: Image, ws: Workspace, src: str) -> str:
    o = image.evaluate(ws, src)
    assert o.ok, (src, o.kind, o.error_class, o.message_text)
    return o.print_string


def test_second_run_is_a_cache_hit(image: Image) -> None:
    ws = image.new_workspace()
    hits = image.doit_cache.hits
    assert run(image, ws, "3 + 4") == "7"
    assert image.doit_cache.hits == hits
    assert run(image, ws, "3 + 4") == "7"
    assert image.doit_cache.hits == hits + 1


def test_bindings_changed_is_reported_on_every_run(image: Image) -> None:
    ws = image.new_workspace()
    for expected in (1, 2, 3):
        o = image.evaluate(ws, "n := (n ifNil: [0]) + 1")
        assert o.ok and o.print_string == str(expected)
        assert o.bindings_changed == ("n",)


def test_new_class_turns_a_workspace_name_into_a_global(image: Image) -> None:
    ws = image.new_workspace()
    assert run(image, ws, "CacheFoo := 3") == "3"  # not a global yet: a workspace variable
    run(image, ws, "Object subclass: #CacheFoo instanceVariableNames: '' "
                   "classVariableNames: '' package: 'T'")
    o = image.evaluate(ws, "CacheFoo := 3")  # now a global: cannot be assigned
    assert o.kind == "syntax" and "CacheFoo" in o.message_text


def test_new_lowercase_global_is_seen_by_a_cached_doit(image: Image) -> None:
    ws = image.new_workspace()
    assert run(image, ws, "zork") == "nil"  # a workspace variable, unbound
    image.globals["zork"] = 42  # as any future code adding a global would
    assert run(image, ws, "zork") == "42"
    del image.globals["zork"]
    assert run(image, ws, "zork") == "nil"
    assert run(image, ws, "zork := 5") == "5"  # a workspace variable again


def test_redefined_class_and_methods_are_seen(image: Image) -> None:
    ws = image.new_workspace()
    run(image, ws, "Object subclass: #CacheBar instanceVariableNames: 'a' "
                   "classVariableNames: '' package: 'T'")
    run(image, ws, "CacheBar compile: 'answer ^ 1'")
    assert run(image, ws, "CacheBar new answer") == "1"
    run(image, ws, "CacheBar compile: 'answer ^ 2'")
    assert run(image, ws, "CacheBar new answer") == "2"
    assert run(image, ws, "CacheBar instVarNames") == "#(#a)"
    run(image, ws, "Object subclass: #CacheBar instanceVariableNames: 'a b' "
                   "classVariableNames: '' package: 'T'")
    assert run(image, ws, "CacheBar instVarNames") == "#(#a #b)"
    assert run(image, ws, "CacheBar new answer") == "2"


def test_workspace_variable_bound_after_first_compile(image: Image) -> None:
    ws = image.new_workspace()
    assert run(image, ws, "later") == "nil"
    assert run(image, ws, "later := 4") == "4"
    assert run(image, ws, "later") == "4"
    assert run(image, ws, "Later") == "nil"
    assert run(image, ws, "Later := 5") == "5"
    assert run(image, ws, "Later") == "5"


def test_literals_are_read_only_on_every_run(image: Image) -> None:
    ws = image.new_workspace()
    for _ in range(2):
        o = image.evaluate(ws, "| s | s := 'abc'. s at: 1 put: $X. s")
        assert o.kind == "error" and o.error_class == "ModificationForbidden"
        o = image.evaluate(ws, "| a | a := #(1 2 3). a at: 1 put: 9. a")
        assert o.kind == "error" and o.error_class == "ModificationForbidden"
    for _ in range(2):
        assert run(image, ws, "| s | s := 'abc' copy. s at: 1 put: $X. s") == "'Xbc'"
        assert run(image, ws, "'abc'") == "'abc'"


def test_each_run_gets_its_own_literal_objects(image: Image) -> None:
    ws = image.new_workspace()
    run(image, ws, "kept := 'abc'")
    run(image, ws, "kept := 'abc'")  # cached now
    assert run(image, ws, "kept == 'abc'") == "false"
    assert run(image, ws, "kept = 'abc'") == "true"
    run(image, ws, "blk := [#(1 $a 'x')]")
    run(image, ws, "first := blk value")
    run(image, ws, "blk := [#(1 $a 'x')]")
    assert run(image, ws, "first == blk value") == "false"
    assert run(image, ws, "blk value == blk value") == "true"  # one run: one literal


def test_workspaces_running_the_same_text_stay_apart(image: Image) -> None:
    one, two = image.new_workspace(), image.new_workspace()
    run(image, one, "x := 1")
    run(image, two, "x := 2")
    run(image, one, "reader := [x]")
    run(image, two, "reader := [x]")
    assert run(image, one, "reader value") == "1"
    assert run(image, two, "reader value") == "2"
    run(image, one, "x := 10")
    assert run(image, one, "reader value") == "10"
    assert run(image, two, "reader value") == "2"
    assert "x" not in Workspace().bindings


def test_threads_running_the_same_text_in_their_own_workspaces(image: Image) -> None:
    workspaces = [image.new_workspace() for _ in range(8)]
    for i, ws in enumerate(workspaces):
        ws.bindings["seed"] = i

    def work(ws: Workspace) -> list[str]:
        return [run(image, ws, "acc := (acc ifNil: [seed]) + 100") for _ in range(50)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, workspaces))
    for i, answers in enumerate(results):
        assert answers[-1] == str(i + 5000)


def test_syntax_errors_are_reported_every_time_and_not_cached(image: Image) -> None:
    ws = image.new_workspace()
    before = len(image.doit_cache)
    for _ in range(2):
        o = image.evaluate(ws, "3 + ")
        assert o.kind == "syntax"
        o = image.evaluate(ws, "self := 3")
        assert o.kind == "syntax"
    assert len(image.doit_cache) == before


def test_error_stacks_still_name_doit_lines(image: Image) -> None:
    ws = image.new_workspace()
    for _ in range(2):
        o = image.evaluate(ws, "1.\n2.\nnil foo")
        assert o.kind == "error" and o.error_class == "MessageNotUnderstood"
        assert any(f.selector == "DoIt" and f.line == 3 for f in o.stack), o.stack


def test_cache_is_a_bounded_lru() -> None:
    cache = DoitCache(capacity=2)

    def entry(version: int = 0) -> PreparedDoit:
        return PreparedDoit(lambda *a: None, (), (), frozenset(), version)

    cache.put("a", entry())
    cache.put("b", entry())
    assert cache.get("a", 0) is not None  # a is now the most recent
    cache.put("c", entry())
    assert cache.get("b", 0) is None
    assert cache.get("a", 0) is not None and cache.get("c", 0) is not None
    assert cache.get("a", 1) is None  # another names version: dropped
    assert cache.get("a", 0) is None
    short_only = DoitCache(capacity=4, max_source_chars=3)
    short_only.put("long", entry())
    short_only.put("abc", entry())
    assert short_only.get("long", 0) is None and short_only.get("abc", 0) is not None
    disabled = DoitCache(capacity=0)
    disabled.put("a", entry())
    assert len(disabled) == 0


def test_names_version_moves_with_classes_and_global_names(image: Image) -> None:
    ws = image.new_workspace()
    v = image.names_version()
    run(image, ws, "3 + 4")
    assert image.names_version() == v  # evaluating changes nothing
    run(image, ws, "Object subclass: #CacheVer instanceVariableNames: '' "
                   "classVariableNames: '' package: 'T'")
    v2 = image.names_version()
    assert v2 != v
    run(image, ws, "CacheVer compile: 'one ^ 1'")
    v3 = image.names_version()
    assert v3 != v2  # conservative: any class or method change counts
    image.globals["CacheVer"] = image.globals["CacheVer"]  # rebinding: names unchanged
    assert image.names_version() == v3
    image.globals["cacheVer2"] = 1
    assert image.names_version() != v3
