"""Expression and statement shapes: source in, AST (rendered by `dump`) out.

Each case is Pharo syntax and the tree Pharo's RBParser builds for it, written with every send
parenthesized (see stui_trio/smalltalk/parser/dump.py for the notation).
"""

from __future__ import annotations

import pytest

from stui_trio.smalltalk.parser import parse_doit, parse_expression
from stui_trio.smalltalk.parser.dump import dump

EXPRESSIONS = [
    # precedence: unary > binary > keyword, left to right within a level
    ("3 + 4 * 2", "((3 + 4) * 2)"),
    ("3 + (4 * 2)", "(3 + (4 * 2))"),
    ("2 raisedTo: 3 + 1", "(2 raisedTo: (3 + 1))"),
    ("x foo bar", "((x foo) bar)"),
    ("x foo + y bar", "((x foo) + (y bar))"),
    ("a at: 1 put: 2", "(a at:put: 1 2)"),
    ("a at: 1 put: 3 + 4 factorial", "(a at:put: 1 (3 + (4 factorial)))"),
    ("a foo: b bar: c baz", "(a foo:bar: b (c baz))"),
    ("(a foo: b) bar: c", "((a foo: b) bar: c)"),
    ("a foo: (b bar: c)", "(a foo: (b bar: c))"),
    ("x max: y max: z", "(x max:max: y z)"),
    ("1 + 2 + 3", "((1 + 2) + 3)"),
    ("#(1 2) , #(3)", "(#(1 2) , #(3))"),
    # binary selectors as Pharo scans them
    ("a -> b", "(a -> b)"),
    ("a ==> b", "(a ==> b)"),
    ("a ~= b", "(a ~= b)"),
    ("a ~~ b", "(a ~~ b)"),
    ("a <= b", "(a <= b)"),
    ("a >= b", "(a >= b)"),
    ("a == b", "(a == b)"),
    ("a // b", "(a // b)"),
    ("a \\\\ b", "(a \\\\ b)"),
    ("a @ b", "(a @ b)"),
    ("a % b", "(a % b)"),
    ("a & b | c", "((a & b) | c)"),
    ("a ? b", "(a ? b)"),
    ("a, b", "(a , b)"),
    ("a+b", "(a + b)"),
    ("3+-2", "(3 +- 2)"),  # Pharo scans a run of binary characters as one selector
    ("a \u00d7 b", "(a \u00d7 b)"),
    # negative literals and binary minus (Pharo's patchNegativeLiteral)
    ("-3", "-3"),
    ("3 - -2", "(3 - -2)"),
    ("3 -1", "(3 - 1)"),
    ("3-1", "(3 - 1)"),
    ("x-1", "(x - 1)"),
    ("x -1 abs", "(x - (1 abs))"),
    ("x foo -1", "((x foo) - 1)"),
    ("3 - 1", "(3 - 1)"),
    ("x at: 1 -1", "(x at: (1 - 1))"),
    ("-3 abs", "(-3 abs)"),
    ("3 -0.5", "(3 - 0.5)"),
    ("3 -2r101", "(3 - 5)"),
    ("2 - -0", "(2 - 0)"),
    ("-16rFF", "-255"),
    # pseudo-variables and named literals
    ("self", "self"),
    ("super foo", "(super foo)"),
    ("thisContext", "thisContext"),
    ("nil", "nil"),
    ("true & false", "(true & false)"),
    ("x true", "(x true)"),  # a unary send of #true, as in Pharo
    ("nil isNil", "(nil isNil)"),
    ("_foo", "_foo"),
    ("a_b1 c2_", "(a_b1 c2_)"),
    ("\u00e9t\u00e9 size", "(\u00e9t\u00e9 size)"),
    # assignments
    ("x := 3", "(:= x 3)"),
    ("x := y := 3 + 4", "(:= x (:= y (3 + 4)))"),
    ("x:=3", "(:= x 3)"),
    ("(x := 3) + 1", "((:= x 3) + 1)"),
    ("a := b := c := d foo", "(:= a (:= b (:= c (d foo))))"),
    ("1/3s2", "(1 / (3/1)s2)"),  # not a fraction literal: a send of #/
    # cascades
    ("Transcript show: 'a'; cr; show: 'b'", "(cascade Transcript (show: 'a') (cr) (show: 'b'))"),
    ("OrderedCollection new add: 1; add: 2; yourself",
     "(cascade (OrderedCollection new) (add: 1) (add: 2) (yourself))"),
    ("x foo; bar", "(cascade x (foo) (bar))"),
    ("x + 1; - 2", "(cascade x (+ 1) (- 2))"),
    ("x + 1; -2", "(cascade x (+ 1) (- 2))"),
    ("x foo bar; baz", "(cascade (x foo) (bar) (baz))"),
    ("x a: 1; b: 2 c: 3; d", "(cascade x (a: 1) (b:c: 2 3) (d))"),
    ("x foo; + 2 factorial", "(cascade x (foo) (+ (2 factorial)))"),
    ("(x foo; bar) baz", "((cascade x (foo) (bar)) baz)"),
    ("self msg: (arg msg: arg); yourself", "(cascade self (msg: (arg msg: arg)) (yourself))"),
    # blocks
    ("[]", "(block [] [])"),
    ("[:a | ]", "(block [a] [])"),
    ("[:a]", "(block [a] [])"),
    ("[:a :b | a + b]", "(block [a b] [] (a + b))"),
    ("[:a :b | | t | t := a. t]", "(block [a b] [t] (:= t a) t)"),
    ("[:a || t | t]", "(block [a] [t] t)"),
    ("[ : a | a ]", "(block [a] [] a)"),
    ("[| t | t]", "(block [] [t] t)"),
    ("[||]", "(block [] [])"),
    ("[1. 2.]", "(block [] [] 1 2)"),
    ("[^ 1]", "(block [] [] (^ 1))"),
    ("[:x | [:y | x + y]]", "(block [x] [] (block [y] [] (x + y)))"),
    ("[. 1 . . 2 .]", "(block [] [] 1 2)"),
    ("a ifTrue: [1] ifFalse: [2]", "(a ifTrue:ifFalse: (block [] [] 1) (block [] [] 2))"),
    # dynamic arrays
    ("{}", "(array)"),
    ("{1. 2. 3}", "(array 1 2 3)"),
    ("{1. 2. 3.}", "(array 1 2 3)"),
    ("{.}", "(array)"),
    ("{foo.. bar}", "(array foo bar)"),
    ("{1+2. {3}}", "(array (1 + 2) (array 3))"),
    # comments anywhere
    ('3 "three" + "plus" 4', "(3 + 4)"),
    ('"lead" x "mid" foo: "arg" 1 "end"', "(x foo: 1)"),
    ('x "a ""quoted"" word" foo', "(x foo)"),
    # parentheses
    ("((3))", "3"),
    ("(x) foo", "(x foo)"),
    ("(x foo) bar", "((x foo) bar)"),
]


@pytest.mark.parametrize(("source", "expected"), EXPRESSIONS)
def test_expression_shape(source: str, expected: str) -> None:
    assert dump(parse_expression(source)) == expected


DOITS = [
    ("", ""),
    ("   ", ""),
    ('"only a comment"', ""),
    (".", ""),
    ("1. 2", "1. 2"),
    ("1. 2.", "1. 2"),
    ("1 . . 2", "1. 2"),
    (". 1", "1"),
    ("| a b | a := 1. b := a + 1. b", "| a b | (:= a 1). (:= b (a + 1)). b"),
    ("| |", ""),
    ("||", ""),
    ("| a |", "| a | "),
    ("^ 1", "(^ 1)"),
    ("^ 1. 2", "(^ 1). 2"),  # Pharo only warns about unreachable statements
    ("x foo.\ny := 3", "(x foo). (:= y 3)"),
    ("Transcript show: 'a'; cr.\nTranscript show: 'b'",
     "(cascade Transcript (show: 'a') (cr)). (Transcript show: 'b')"),
]


@pytest.mark.parametrize(("source", "expected"), DOITS)
def test_doit_shape(source: str, expected: str) -> None:
    assert dump(parse_doit(source)) == expected


def test_cascade_messages_share_the_receiver_object() -> None:
    node = parse_expression("OrderedCollection new add: 1; add: 2; yourself")
    assert all(message.receiver is node.receiver for message in node.messages)


def test_super_send_is_flagged() -> None:
    assert parse_expression("super foo: 1").is_super_send
    assert not parse_expression("self foo: 1").is_super_send
