"""Live class definition, redefinition, metaclasses, reflection module."""

from __future__ import annotations

import pytest

from stui_trio.smalltalk import Image, reflection


def ev(image: Image, ws, src: str):
    o = image.evaluate(ws, src)
    assert o.ok, (src, o.error_class, o.message_text)
    return o


def test_define_compile_and_use(image: Image) -> None:
    ws = image.new_workspace()
    ev(image, ws, "Object subclass: #Account instanceVariableNames: 'balance' "
                  "classVariableNames: 'Rate' package: 'Bank'")
    ev(image, ws, "Account compile: 'initialize balance := 0'. "
                  "Account compile: 'deposit: n balance := balance + n' classified: 'ops'. "
                  "Account compile: 'balance ^ balance'. "
                  "Account class compile: 'rate ^ Rate ifNil: [Rate := 5]'")
    assert ev(image, ws, "a := Account new. a deposit: 30; deposit: 12. a balance").value == 42
    assert ev(image, ws, "Account rate").value == 5
    assert ev(image, ws, "Account new printString").print_string == "'an Account'"
    assert ev(image, ws, "Account category").print_string == "'Bank'"
    assert reflection.methods_by_category(image, "Account")["ops"] == ("deposit:",)


def test_redefinition_keeps_instances_usable(image: Image) -> None:
    ws = image.new_workspace()
    ev(image, ws, "Object subclass: #Shape instanceVariableNames: 'a b' "
                  "classVariableNames: '' package: 'T'")
    ev(image, ws, "Shape compile: 'a: x b: y a := x. b := y'. Shape compile: 'sum ^ a + b'")
    ev(image, ws, "s := Shape new a: 3 b: 4")
    ev(image, ws, "Object subclass: #Shape instanceVariableNames: 'z b a' "
                  "classVariableNames: '' package: 'T'")
    assert ev(image, ws, "s sum").value == 7
    assert ev(image, ws, "s instVarNamed: #z").value is None
    ev(image, ws, "Shape removeSelector: #sum")
    assert image.evaluate(ws, "s sum").error_class == "MessageNotUnderstood"


def test_fluid_definition_and_class_side_ivars(image: Image) -> None:
    ws = image.new_workspace()
    ev(image, ws, "Object << #Fluid slots: { #x . #y }; sharedVariables: { #Count }; "
                  "package: 'F'")
    assert reflection.instance_variable_names(image, "Fluid") == ("x", "y")
    assert reflection.class_variable_names(image, "Fluid") == ("Count",)
    ev(image, ws, "Fluid class instanceVariableNames: 'made'")
    ev(image, ws, "Fluid class compile: 'make made := (made ifNil: [0]) + 1. ^ self new'")
    assert ev(image, ws, "Fluid make. Fluid make. Fluid instVarNamed: #made").value == 2
    ev(image, ws, "Fluid subclass: #SubFluid instanceVariableNames: 'z' "
                  "classVariableNames: '' category: 'F'")
    assert ev(image, ws, "SubFluid new class superclass").print_string == "Fluid"
    assert reflection.superclass_chain(image, "SubFluid") == ("Fluid", "Object",
                                                              "ProtoObject")


def test_super_sends(image: Image) -> None:
    ws = image.new_workspace()
    ev(image, ws, "Object subclass: #Base instanceVariableNames: '' classVariableNames: '' "
                  "package: 'T'. Base subclass: #Derived instanceVariableNames: '' "
                  "classVariableNames: '' package: 'T'")
    ev(image, ws, "Base compile: 'who ^ ''base'''. "
                  "Derived compile: 'who ^ super who , ''+d'''")
    ev(image, ws, "Derived compile: 'printOn: s super printOn: s. s nextPutAll: ''!'''")
    assert ev(image, ws, "Derived new who").print_string == "'base+d'"
    assert ev(image, ws, "Derived new printString").print_string == "'a Derived!'"


def test_metaclass_knot(image: Image) -> None:
    ws = image.new_workspace()
    assert ev(image, ws, "3 class class class == Metaclass").value is True
    assert ev(image, ws, "Metaclass class class == Metaclass").value is True
    assert ev(image, ws, "Object class superclass").print_string == "ProtoObject class"
    assert ev(image, ws, "ProtoObject class superclass").print_string == "Class"


def test_reflection_api(image: Image) -> None:
    names = {c.name for c in reflection.list_classes(image)}
    assert {"Object", "OrderedCollection", "Dictionary", "ZeroDivide"} <= names
    assert "printOn:" in reflection.implementors(image, "printOn:") or \
        "Object" in reflection.implementors(image, "printOn:")
    assert any("printString" in s for s in reflection.senders(image, "printOn:"))
    src = reflection.method_source(image, "Collection", "inject:into:")
    assert src is not None and src.startswith("inject: thisValue into: binaryBlock")
    sels = reflection.selectors_understood(image, 3)
    assert "printString" in sels and "+" in sels
    assert "Object subclass: #Point" in reflection.class_definition(image, "Point")
    name = reflection.define_class(image, "Object subclass: #Reflected "
                                          "instanceVariableNames: 'q' classVariableNames: '' "
                                          "package: 'R'")
    assert name == "Reflected"
    assert reflection.compile_method(image, "Reflected", "q ^ q", "acc") == "q"
    with pytest.raises(reflection.DefinitionError):
        reflection.compile_method(image, "Reflected", "q ^ ^", "acc")
    assert reflection.remove_method(image, "Reflected", "q") is True


def test_inspector_view(image: Image) -> None:
    ws = image.new_workspace()
    o = ev(image, ws, "(3@4)")
    view = reflection.inspect(image, o.value)
    assert [(f.name, f.print_string) for f in view.named] == [("x", "3"), ("y", "4")]
    d = ev(image, ws, "Dictionary new at: #a put: 1; yourself").value
    view = reflection.inspect(image, d)
    assert [(k.print_string, v.print_string) for k, v in view.pairs] == [("#a", "1")]
    oc = ev(image, ws, "OrderedCollection new add: 5; add: 6; yourself").value
    view = reflection.inspect(image, oc)
    assert view.size == 2 and [f.print_string for f in view.indexed] == ["5", "6"]


def test_kernel_is_protected_but_extensible(image: Image) -> None:
    ws = image.new_workspace()
    o = image.evaluate(ws, "SequenceableCollection subclass: #OrderedCollection "
                           "instanceVariableNames: '' classVariableNames: '' package: 'X'")
    assert o.error_class == "Error" and "kernel" in o.message_text
    o = image.evaluate(ws, "SmallInteger compile: '+ x ^ 0'")
    assert o.kind == "error"
    assert image.evaluate(ws, "3 + 4").value == 7
    assert image.evaluate(ws, "Object removeSelector: #printString. 3 printString").ok
    ev(image, ws, "Integer compile: 'double ^ self * 2' classified: '*ext'")
    assert ev(image, ws, "21 double").value == 42
