"""Pharo 12 behaviours the conformance corpus pins only at one point, checked more widely here:
unreduced fractions, ScaledDecimal as a kind of Fraction, number/collection coercion
(`adaptToNumber:andSend:`), Symbol/String equality and hashing, storeString, SmallInteger's own
primitive methods, and what `thisContext` answers."""

from __future__ import annotations

import pytest

from stui_trio.smalltalk import Image
from tests.smalltalk.conftest import ps


@pytest.mark.parametrize(("src", "expected"), [
    # Fraction numerator:denominator: keeps the terms given; the value is the reduced one
    ("Fraction numerator: 2 denominator: 4", "(2/4)"),
    ("Fraction numerator: 4 denominator: 2", "(4/2)"),
    ("Fraction numerator: 1 denominator: 2", "(1/2)"),
    ("(Fraction numerator: 2 denominator: 4) numerator", "2"),
    ("(Fraction numerator: 2 denominator: 4) class", "Fraction"),
    ("(Fraction numerator: 2 denominator: 4) + (1/3)", "(5/6)"),
    ("(1/3) + (Fraction numerator: 2 denominator: 4)", "(5/6)"),
    ("(Fraction numerator: 2 denominator: 4) * 2", "1"),
    ("(Fraction numerator: 2 denominator: 4) < 1", "true"),
    ("(Fraction numerator: 2 denominator: 4) raisedTo: 2", "(1/4)"),
    ("(Fraction numerator: 2 denominator: 4) hash = (1/2) hash", "true"),
    ("1.5s2 + (Fraction numerator: 2 denominator: 4)", "2.00s2"),
    ("(Set new add: (Fraction numerator: 2 denominator: 4); add: 1/2; yourself) size", "1"),
    # ScaledDecimal is a Fraction subclass that says isFraction false, as in Pharo
    ("ScaledDecimal superclass", "Fraction"),
    ("1.5s2 isFraction", "false"),
    ("1.5s2 isKindOf: Fraction", "true"),
    ("(Array with: 1.5s2 with: 1/2)", "{1.50s2. (1/2)}"),
    ("(1/3) asScaledDecimal: 4", "0.3333s4"),
    ("((1/3) asScaledDecimal: 4) isLiteral", "false"),
    ("1.25s2 isLiteral", "true"),
    ("(1.5s1 raisedToInteger: 2)", "2.3s1"),
    ("(1.5s1 raisedToInteger: 2) = (9/4)", "true"),
    # a number meeting a collection or string adapts (adaptToNumber:andSend:)
    ("3 + #(1 2)", "#(4 5)"),
    ("2 * (OrderedCollection with: 1 with: 2)", "an OrderedCollection(2 4)"),
    ("3 < #(1 5)", "#(false true)"),
    ("3 + '4'", "7"),
    ("(1/2) + #(1)", "{(3/2)}"),
    # Symbol = String when the characters match; both hash alike, so hashed collections agree
    ("#abc = 'abc'", "true"),
    ("'abc' = #abc", "true"),
    ("#abc = #abd", "false"),
    ("#abc hash = 'abc' hash", "true"),
    ("(Set new add: #abc; add: 'abc'; yourself) size", "1"),
    ("| d | d := Dictionary new. d at: #a put: 1. d at: 'a'", "1"),
    ("#(#abc) includes: 'abc'", "true"),
    ("(IdentitySet new add: #abc; add: 'abc'; yourself) size", "2"),
    # storeString
    ("(1->2) storeString", "'(1->2)'"),
    ("(#a->'x') storeString", "'(#a->''x'')'"),
    ("(3@4) storeString", "'((3@4))'"),
    ("Object storeString", "'Object'"),
    # SmallInteger has its own primitive operators, falling back to Number's on failure
    ("SmallInteger includesSelector: #+", "true"),
    ("SmallInteger includesSelector: #bitAnd:", "true"),
    ("SmallInteger includesSelector: #printString", "false"),
    ("(3 class >> #+) methodClass", "SmallInteger"),
    ("3 perform: #+ with: 1.5", "4.5"),
    ("3 perform: #+ with: (1/2)", "(7/2)"),
    ("(2 raisedTo: 62) + 1 - (2 raisedTo: 62)", "1"),
    ("[3 perform: #+ with: nil] on: MessageNotUnderstood do: [:e | e message selector]",
     "#adaptToNumber:andSend:"),
    # Dictionary>>keyAtValue: signals ValueNotFound (a NotFound) when absent
    ("[Dictionary new keyAtValue: 3] on: NotFound do: [:e | e class]", "ValueNotFound"),
    ("(Dictionary new at: 1 put: 2; yourself) keyAtValue: 2", "1"),
])
def test_pharo_behaviour(image: Image, src: str, expected: str) -> None:
    assert ps(image, src) == expected


def test_symbol_modification_is_an_error(image: Image) -> None:
    o = image.evaluate(image.new_workspace(), "#foo at: 1 put: $g")
    assert (o.kind, o.error_class, o.message_text) == (
        "error", "Error", "symbols can not be modified.")


def test_this_context_describes_the_activation(image: Image) -> None:
    ws = image.new_workspace()
    src = ("| c d | c := Object subclass: #CompatCtxA. d := c subclass: #CompatCtxB. "
           "c compile: 'here ^ thisContext'. c compile: 'inBlock ^ [thisContext] value'. "
           "c class compile: 'here ^ thisContext'. ")
    cases = {
        "thisContext class": "Context",
        "thisContext": "UndefinedObject>>DoIt",
        "[thisContext] value": "[] in UndefinedObject>>DoIt",
        "thisContext method": "nil",
        "CompatCtxA new here": "CompatCtxA>>here",
        "CompatCtxB new here": "CompatCtxB(CompatCtxA)>>here",
        "CompatCtxA new inBlock": "[] in CompatCtxA>>inBlock",
        "CompatCtxA new inBlock isBlockContext": "true",
        "CompatCtxA here": "CompatCtxA class>>here",
        "CompatCtxA new here method": "CompatCtxA>>#here",
        "CompatCtxA new here selector": "#here",
        "CompatCtxB new here receiver class": "CompatCtxB",
    }
    assert image.evaluate(ws, src).kind == "success"
    for expr, expected in cases.items():
        o = image.evaluate(ws, expr)
        assert (o.kind, o.print_string) == ("success", expected), expr
    # no sender chain is reified: say so instead of answering a made-up one
    o = image.evaluate(ws, "thisContext sender")
    assert o.error_class == "MessageNotUnderstood"
