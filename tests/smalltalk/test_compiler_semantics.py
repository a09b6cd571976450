"""Compiler: inlining, evaluation order, scoping, literals, generated-code isolation."""

from __future__ import annotations

import pytest

from stui_trio.smalltalk import Image
from stui_trio.smalltalk.compiler.codegen import CodeGen
from stui_trio.smalltalk.compiler.scope import ClassContext
from stui_trio.smalltalk.parser import parse_method
from tests.smalltalk.conftest import ps


@pytest.mark.parametrize("src,expected", [
    ("| a | a := 0. 1 to: 10 do: [:i | a := a + i]. a", "55"),
    ("| a | a := 0. 10 to: 1 by: -2 do: [:i | a := a * 10 + i]. a", "108642"),
    ("| a | a := 0. 1 to: 2 by: 1/2 do: [:i | a := a + i]. a", "(9/2)"),
    ("| a | a := 0. 1.5 to: 3 do: [:i | a := a + i]. a", "4.0"),
    ("1 to: 3 do: [:i | i]", "1"),
    ("| n | n := 0. 5 timesRepeat: [n := n + 2]. n", "10"),
    ("| i | i := 0. [i < 5] whileTrue: [i := i + 1]. i", "5"),
    ("| i | i := 10. [i <= 0] whileFalse: [i := i - 3]. i", "-2"),
    ("| i | i := 0. [i := i + 1. i < 5] whileTrue. i", "5"),
    ("| i | i := 0. [i := i + 1. i = 4 ifTrue: [^ i]] repeat", "4"),
    ("nil ifNil: [1] ifNotNil: [:x | x]", "1"),
    ("3 ifNil: [1] ifNotNil: [:x | x + 1]", "4"),
    ("3 ifNotNil: [:x | x * 2]", "6"),
    ("nil ifNotNil: [:x | x * 2]", "nil"),
    ("3 ifNil: [0]", "3"),
    ("(3 > 2) | (1/0 = 1) ifTrue: ['lazy?'] ifFalse: ['no']", "'lazy?'") if False else
    ("(3 > 2) or: [1/0]", "true"),
    ("(3 < 2) and: [1/0]", "false"),
    ("true & false", "false"),
    ("false ifTrue: [1]", "nil"),
    ("| b | b := [:x | x > 2]. (b value: 3) ifTrue: ['big'] ifFalse: ['small']", "'big'"),
    ("| blk | blk := [1]. true ifTrue: blk", "1"),
    ("| blocks | blocks := (1 to: 3) collect: [:i | [i * 10]]. blocks collect: [:b | b value]",
     "#(10 20 30)"),
    ("| x | x := 1. { x. x := 2. x }", "#(1 2 2)"),
    ("| a | a := 1. a + (a := 10)", "11"),
    ("| x | x := 3. [:y | | z | z := x + y. z] value: 4", "7"),
    ("| acc | acc := 0. #(1 2 3) do: [:e | | t | t := e * 2. acc := acc + t]. acc", "12"),
    ("[:a :b :c :d | a + b + c + d] value: 1 value: 2 value: 3 value: 4", "10"),
    ("[:a | a] valueWithArguments: #(5)", "5"),
    ("[] value", "nil"),
    ("[:x | ] value: 3", "nil"),
    ("[:x | x] numArgs", "1"),
    ("3 + 4; * 10", "30"),
    ("OrderedCollection new add: 3; add: 4; yourself", "an OrderedCollection(3 4)"),
    ("3 perform: #+ with: 4", "7"),
    ("3 perform: #between:and: with: 1 with: 5", "true"),
    ("(3 respondsTo: #printString) & (3 respondsTo: #foo) not", "true"),
    ("thisContext", "UndefinedObject>>DoIt"),
    ("[thisContext] value", "[] in UndefinedObject>>DoIt"),
    ("thisContext receiver", "nil"),
    ("thisContext isBlockContext | [thisContext isBlockContext] value not", "false"),
    ("#sym == #sym", "true"),
    ("'abc' == 'abc'", "false"),
    ("$a == $a", "true"),
    ("(2 raisedTo: 70) == (2 raisedTo: 70)", "false"),
    ("(2 raisedTo: 50) == (2 raisedTo: 50)", "true"),
    ("1.5 == 1.5", "true"),
])
def test_semantics(image: Image, src: str, expected: str) -> None:
    assert ps(image, src) == expected


def test_literals_are_read_only(image: Image) -> None:
    for src in ["#(1 2 3) at: 1 put: 9", "'abc' at: 1 put: $z"]:
        o = image.evaluate(image.new_workspace(), src)
        assert o.error_class == "ModificationForbidden", src
    # Pharo 12's Symbol>>at:put: signals a plain Error (Symbol>>errorNoModification).
    o = image.evaluate(image.new_workspace(), "#abc at: 1 put: $z")
    assert (o.error_class, o.message_text) == ("Error", "symbols can not be modified.")
    assert ps(image, "'abc' copy at: 1 put: $z; yourself") == "'zbc'"
    assert ps(image, "#(1 2 3) copy at: 1 put: 9; yourself") == "#(9 2 3)"


def test_store_into_argument_is_a_compile_error(image: Image) -> None:
    o = image.evaluate(image.new_workspace(), "[:x | x := 3] value: 1")
    assert o.kind == "syntax" and "argument" in o.message_text


def test_generated_code_has_no_builtins(image: Image) -> None:
    assert image.G["__builtins__"] == {}
    node = parse_method("at: i put: v ^ items at: i put: v")
    gen = CodeGen(node.source, ClassContext(image.globals["Object"], ["items"], {}), doit=False,
                  global_names=set(), literal=image.literal)
    py = gen.method(node, None, None)
    assert "'at:put:'" not in py  # selectors are constants, not spliced text
    assert "v_items" not in py and "self.slots[0]" in py


def test_user_text_never_reaches_python(image: Image) -> None:
    src = "'); import os; (' size + #'__import__' size"
    assert ps(image, src) == "25"
