"""Exception semantics as in Pharo: handlers on top of the signal, retry, return:, pass,
outer, resume:, ensure: ordering, non-local return, BlockCannotReturn."""

from __future__ import annotations

import pytest

from stui_trio.smalltalk import Image
from tests.smalltalk.conftest import ps


@pytest.mark.parametrize("src,expected", [
    ("[1/0] on: ZeroDivide do: [:e | e messageText]", "''"),
    ("[1/0] on: ZeroDivide do: [:e | e description]", "'ZeroDivide'"),
    ("[1/0] on: ZeroDivide do: [:e | e return: 7]", "7"),
    ("[1/0. 5] on: ZeroDivide do: [:e | e resume: 3]", "5"),
    ("[(1/0) + 1] on: ZeroDivide do: [:e | e resume: 3]", "4"),
    ("[Error signal: 'x'] on: Error do: [:e | e messageText]", "'x'"),
    ("[Error new signal] on: Error do: [:e | e messageText]", "''"),
    ("[Error new signal: 'boom'] on: Error do: [:e | e description]", "'Error: boom'"),
    ("[Error signal] on: ZeroDivide do: [:e | 1] on: Error do: [:e | 2]", "2"),
    ("[nil foo] on: MessageNotUnderstood do: [:e | e message selector]", "#foo"),
    ("[nil foo] on: MessageNotUnderstood do: [:e | e receiver]", "nil"),
    ("[nil foo: 1 bar: 2] on: MessageNotUnderstood do: [:e | e message arguments]", "#(1 2)"),
    ("[#() first] on: Error do: [:e | e class]", "SubscriptOutOfBounds"),
    ("[OrderedCollection new removeFirst] on: Error do: [:e | e class]", "CollectionIsEmpty"),
    ("[#(1 2) at: 5] on: SubscriptOutOfBounds do: [:e | e messageText]",
     "'5 in #(1 2)'"),
    ("[Dictionary new at: #k] on: KeyNotFound do: [:e | e key]", "#k"),
    ("[Error signal: 'a'] on: ZeroDivide, Error do: [:e | 'set']", "'set'"),
    ("[Warning signal: 'w'. 5] value", "5"),
    ("(Warning signal: 'w')", "nil"),
    ("[Notification signal. 6] value", "6"),
    ("[(Warning signal: 'w') + 1] on: Warning do: [:e | e resume: 41]", "42"),
    ("[[1/0] on: ZeroDivide do: [:e | e pass]] on: ZeroDivide do: [:e | e return: 9]", "9"),
    ("[[Warning signal. 1] on: Warning do: [:e | e outer + 10]] "
     "on: Warning do: [:e | e resume: 5]", "15"),
    ("[[1/0] on: ZeroDivide do: [:e | e signal]] on: ZeroDivide do: [:e | 'outer']", "'outer'"),
    ("[[1/0] on: Error do: [:e | nil foo]] on: MessageNotUnderstood do: [:e | 'inner dnu']",
     "'inner dnu'"),
    ("| n | n := 0. [n := n + 1. n < 3 ifTrue: [Error signal]. n] "
     "on: Error do: [:e | e retry]", "3"),
    ("[Error signal] on: Error do: [:e | e retryUsing: ['replaced']]", "'replaced'"),
    ("[Error signal. 1] on: Error do: [:e | ]", "nil"),
    ("[Error signal] on: Error do: [9]", "9"),
    ("[1/0] on: Error do: [:e | e class name]", "#ZeroDivide"),
    ("[Error signal: 'x'] on: Error do: [:e | e signalerContext]", "nil"),
])
def test_handlers(image: Image, src: str, expected: str) -> None:
    assert ps(image, src) == expected


def test_ensure_ordering_with_handler(image: Image) -> None:
    src = ("| log | log := OrderedCollection new. "
           "[[log add: 1. Error signal. log add: 2] ensure: [log add: 3]] "
           "on: Error do: [:e | log add: 4]. log")
    # Pharo runs the handler first (on top of the signal), then unwinds through ensure:
    assert ps(image, src) == "an OrderedCollection(1 4 3)"


def test_ensure_runs_on_normal_and_nonlocal_exit(image: Image) -> None:
    ws = image.new_workspace()
    image.evaluate(ws, "Object subclass: #EnsureT instanceVariableNames: 'log' "
                       "classVariableNames: '' package: 'T'")
    image.evaluate(ws, "EnsureT compile: 'run log := OrderedCollection new. "
                       "#(1 2 3) do: [:x | [x = 2 ifTrue: [^ log]. log add: x] "
                       "ensure: [log add: x * 10]]. ^ log'")
    assert image.evaluate(ws, "EnsureT new run").print_string == \
        "an OrderedCollection(1 10 20)"
    assert ps(image, "[5] ensure: [6]") == "5"
    assert ps(image, "| x | [x := 1] ifCurtailed: [x := 2]. x") == "1"


def test_unhandled_error_runs_ensure_blocks(image: Image) -> None:
    ws = image.new_workspace()
    o = image.evaluate(ws, "[1/0] ensure: [Transcript show: 'ran']")
    assert o.kind == "error" and o.error_class == "ZeroDivide"
    assert o.transcript_output == "ran"


def test_non_local_return_and_block_cannot_return(image: Image) -> None:
    ws = image.new_workspace()
    image.evaluate(ws, "Object subclass: #Nlr instanceVariableNames: '' "
                       "classVariableNames: '' package: 'T'")
    image.evaluate(ws, "Nlr compile: 'find: x in: c c do: [:e | e = x ifTrue: [^ #found]]. "
                       "^ #missing'. Nlr compile: 'escaper ^ [:v | ^ v]'")
    assert image.evaluate(ws, "Nlr new find: 2 in: #(1 2 3)").print_string == "#found"
    assert image.evaluate(ws, "Nlr new find: 9 in: #(1 2 3)").print_string == "#missing"
    o = image.evaluate(ws, "(Nlr new escaper) value: 3")
    assert o.kind == "error" and o.error_class == "BlockCannotReturn"
    assert ps(image, "#(1 2 3) do: [:e | e = 2 ifTrue: [^ e * 100]]. 0") == "200"


def test_non_boolean_receiver(image: Image) -> None:
    o = image.evaluate(image.new_workspace(), "3 ifTrue: [4]")
    assert o.error_class == "NonBooleanReceiver"
    o = image.evaluate(image.new_workspace(), "[nil] whileTrue: [4]")
    assert o.error_class == "NonBooleanReceiver"


def test_non_resumable_error_cannot_resume(image: Image) -> None:
    o = image.evaluate(image.new_workspace(), "[Error signal] on: Error do: [:e | e resume: 1]")
    assert o.error_class == "IllegalResumeAttempt"
