"""printString/displayString of kernel objects, as Pharo 12 prints them."""

from __future__ import annotations

import pytest

from stui_trio.smalltalk import Image


@pytest.mark.parametrize("src,expected", [
    ("'it''s'", "'it''s'"), ("#foo", "#foo"), ("#at:put:", "#at:put:"), ("#+", "#+"),
    ("#'hello world'", "#'hello world'"), ("$a", "$a"), ("Character space", "Character space"),
    ("#(1 $a 'b' #c)", "#(1 $a 'b' #c)"), ("#(1 #(2 3) true nil)", "#(1 #(2 3) true nil)"),
    ("#[1 2 255]", "#[1 2 255]"), ("{1. 2+1}", "#(1 3)"), ("{1->2. Object}", "{1->2. Object}"),
    ("{Object new}", "an Array(an Object)"),
    ("OrderedCollection new add: 1; add: 2; yourself", "an OrderedCollection(1 2)"),
    ("3/4", "(3/4)"), ("6/3", "2"), ("3@4", "(3@4)"), ("3@ -4", "(3@ -4)"),
    ("Dictionary new at: #a put: 1; yourself", "a Dictionary(#a->1 )"),
    ("Set new add: 3; yourself", "a Set(3)"), ("#a -> 1", "#a->1"),
    ("1 to: 5", "(1 to: 5)"), ("(1 to: 10 by: 2)", "(1 to: 10 by: 2)"),
    ("#(3 1 2) asSortedCollection", "a SortedCollection(1 2 3)"),
    ("Bag new add: 1; add: 1; yourself", "a Bag(1 1)"), ("Object new", "an Object"),
    ("nil", "nil"), ("true", "true"), ("3 class", "SmallInteger"),
    ("3 class class", "SmallInteger class"), ("100 factorial / 98 factorial", "9900"),
    ("2 ** 64", "18446744073709551616"), ("(2 ** 64) class", "LargePositiveInteger"),
    ("0.1 + 0.2", "0.30000000000000004"), ("1.0e6", "1.0e6"), ("1/2 + 0.5", "1.0"),
    ("1.5s2", "1.50s2"), ("255 printStringBase: 16", "'FF'"), ("255 radix: 16", "'FF'"),
    ("-7 \\\\ 2", "1"), ("-7 rem: 2", "-1"), ("-7 // 2", "-4"), ("-7 quo: 2", "-3"),
    ("12 gcd: 18", "6"), ("4 lcm: 6", "12"), ("17 isPrime", "true"), ("3.7 floor", "3"),
    ("3.2 ceiling", "4"), ("3.5 rounded", "4"), ("-3.7 truncated", "-3"),
    ("(17 roundTo: 5)", "15"), ("2 sqrt", "1.4142135623730951"), ("16 sqrt", "4"),
    ("(1 to: 5) inject: 0 into: [:a :b | a + b]", "15"),
    ("#(1 2 3) collect: [:x | x * x]", "#(1 4 9)"),
    ("(1 to: 10) select: [:x | x even]", "#(2 4 6 8 10)"),
    ("'hello' asUppercase", "'HELLO'"), ("'hello' reversed", "'olleh'"),
    ("'a:b:c' substrings: ':'", "#('a' 'b' 'c')"), ("'abc' , 'def'", "'abcdef'"),
    ("(WriteStream on: String new) nextPutAll: 'x'; print: 3; contents", "'x3'"),
    ("(ReadStream on: #(1 2 3)) next; next", "2"),
    ("[:x | x] printString", "'[:x | x]'"),
    ("(Date year: 2018 month: 9 day: 28) printString", "'28 September 2018'"),
    ("Duration seconds: 90", "0:00:01:30"),
])
def test_print_string(image: Image, src: str, expected: str) -> None:
    o = image.evaluate(image.new_workspace(), src)
    assert o.ok, (src, o.error_class, o.message_text)
    assert o.print_string == expected


@pytest.mark.parametrize("src,expected", [
    ("'abc'", "abc"), ("#foo", "foo"), ("42", "42"), ("#(1 2) asOrderedCollection",
                                                        "an OrderedCollection [2 items] (1 2)"),
])
def test_display_string(image: Image, src: str, expected: str) -> None:
    o = image.evaluate(image.new_workspace(), src)
    assert image.display_string(o.value) == expected


def test_identity_collections(image: Image) -> None:
    ws = image.new_workspace()
    src = ("| s d k | s := IdentitySet new. s add: 'a' copy; add: 'a' copy; add: #b; add: #b. "
           "k := 'key' copy. d := IdentityDictionary new. d at: k put: 1. "
           "{s size. d includesKey: k. d includesKey: 'key' copy. d keys first == k}")
    assert image.evaluate(ws, src).print_string == "#(3 true false true)"
    assert image.evaluate(ws, "(Set new add: 'a' copy; add: 'a' copy; yourself) size").value \
        == 1
