"""The Engine API: outcomes, workspaces, Transcript, printing, change hooks."""

from __future__ import annotations

from stui_trio.smalltalk import EvalOutcome, Image, ImageChange


def ev(image: Image, src: str, ws=None) -> EvalOutcome:
    return image.evaluate(ws or image.new_workspace(), src)


def test_boot_is_fast_and_loads_kernel(image: Image) -> None:
    assert image.boot_seconds < 3.0  # ~0.2 s idle; generous for a loaded CI machine
    assert image.kernel_methods > 500


def test_success_outcome(image: Image) -> None:
    o = ev(image, "3 + 4")
    assert o.kind == "success" and o.ok
    assert (o.value, o.print_string, o.class_name) == (7, "7", "SmallInteger")


def test_large_integer_class_by_range(image: Image) -> None:
    assert ev(image, "SmallInteger maxVal + 1").class_name == "LargePositiveInteger"
    assert ev(image, "SmallInteger minVal - 1").class_name == "LargeNegativeInteger"
    assert ev(image, "SmallInteger maxVal").class_name == "SmallInteger"


def test_syntax_error_outcome(image: Image) -> None:
    o = ev(image, "3 +\n[ 4")
    assert o.kind == "syntax"
    assert o.line == 2 and o.column >= 1 and o.expected


def test_error_outcome_has_stack(image: Image) -> None:
    ws = image.new_workspace()
    image.evaluate(ws, "Object subclass: #ApiBoom instanceVariableNames: '' "
                       "classVariableNames: '' package: 'T'")
    image.evaluate(ws, "ApiBoom compile: 'go\n  ^ self helper'. "
                       "ApiBoom compile: 'helper\n  ^ 1/0'")
    o = image.evaluate(ws, "ApiBoom new go")
    assert o.kind == "error" and o.error_class == "ZeroDivide"
    sels = [(f.class_name, f.selector, f.line) for f in o.stack]
    assert ("ApiBoom", "helper", 2) in sels
    assert ("ApiBoom", "go", 2) in sels
    assert sels[-1][1] == "DoIt"


def test_message_not_understood(image: Image) -> None:
    o = ev(image, "nil foo")
    assert (o.kind, o.error_class, o.message_text) == ("error", "MessageNotUnderstood",
                                                       'receiver of "foo" is nil')


def test_workspace_bindings_persist_and_are_private(image: Image) -> None:
    a, b = image.new_workspace(), image.new_workspace()
    o = image.evaluate(a, "x := 42. y := x + 1")
    assert o.bindings_changed == ("x", "y")
    assert image.evaluate(a, "x + y").value == 85
    assert image.evaluate(b, "x").value is None  # unknown variable reads as nil
    assert a.bindings["x"] == 42 and "x" not in b.bindings


def test_declared_temporaries_are_not_bindings(image: Image) -> None:
    ws = image.new_workspace()
    o = image.evaluate(ws, "| t | t := 3. t * 2")
    assert o.value == 6 and o.bindings_changed == () and "t" not in ws.bindings


def test_smalltalk_at_put_is_per_workspace(image: Image) -> None:
    a, b = image.new_workspace(), image.new_workspace()
    assert image.evaluate(a, "Smalltalk at: #Shared put: 5. Shared").value == 5
    assert image.evaluate(b, "Smalltalk includesKey: #Shared").value is False
    assert image.evaluate(b, "Shared").value is None
    assert image.evaluate(a, "Smalltalk at: #Object put: 3").error_class == "Error"


def test_transcript_is_per_workspace(image: Image) -> None:
    a, b = image.new_workspace(), image.new_workspace()
    o = image.evaluate(a, "Transcript show: 'hi'; tab; print: 42; cr; display: 'x'; space")
    assert o.transcript_output == "hi\t42\nx "
    assert image.evaluate(b, "Transcript show: 'other'").transcript_output == "other"
    assert a.transcript.drain() == "hi\t42\nx "
    assert a.transcript.drain() == ""
    assert b.transcript.drain() == "other"


def test_print_and_display_string(image: Image) -> None:
    s = ev(image, "'it''s'").value
    assert image.print_string(s) == "'it''s'"
    assert image.display_string(s) == "it's"
    assert image.class_name_of(ev(image, "3 class").value) == "SmallInteger class"


def test_on_change_reports_definitions(image: Image) -> None:
    changes: list[ImageChange] = []
    image.on_change(changes.append)
    ws = image.new_workspace()
    image.evaluate(ws, "Object subclass: #ApiChanged instanceVariableNames: 'a' "
                       "classVariableNames: '' package: 'P'")
    image.evaluate(ws, "ApiChanged compile: 'a ^ a' classified: 'accessing'")
    image.evaluate(ws, "ApiChanged class compile: 'make ^ self new'")
    image.evaluate(ws, "ApiChanged removeSelector: #a")
    kinds = [(c.kind, c.class_name, c.selector, c.meta) for c in changes]
    assert kinds == [("define_class", "ApiChanged", "", False),
                     ("compile_method", "ApiChanged", "a", False),
                     ("compile_method", "ApiChanged", "make", True),
                     ("remove_method", "ApiChanged", "a", False)]
    assert changes[1].category == "accessing" and changes[1].source == "a ^ a"


def test_changes_replay_into_a_fresh_image() -> None:
    first = Image.boot()
    log: list[ImageChange] = []
    first.on_change(log.append)
    ws = first.new_workspace()
    first.evaluate(ws, "Object << #Replayed slots: { #v }; package: 'R'")
    first.evaluate(ws, "Replayed compile: 'v: x v := x'. Replayed compile: 'v ^ v'")
    second = Image.boot()
    for change in log:
        second.apply_change(change)
    assert second.evaluate(second.new_workspace(), "(Replayed new v: 7) v").value == 7
