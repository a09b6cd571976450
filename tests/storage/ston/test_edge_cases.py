"""Every item of section 8 of /work/shared/notes/ston.md, plus the pretty-printing rules."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from stui_trio.storage.ston import (
    Association,
    ScaledDecimal,
    StonMap,
    StonObject,
    StonParseError,
    StonWriteError,
    Symbol,
    dumps,
    isomorphic,
    load_bytes,
    loads,
)

S = Symbol


# 1. Numbering
def test_numbering_skips_primitives_and_tag_representations():
    value = loads("['s',#y,1.5,1/2,Point[1,2],@2]")
    assert value[5] is value[4] and value[4].tag == "Point"


def test_numbering_counts_float_and_character_tags():
    value = loads("[Float[#nan],Character['a'],@2,@3]")
    assert value[2] is value[0] and math.isnan(value[2])
    assert value[3] is value[1] and value[1].tag == "Character"


def test_numbering_in_pre_order_with_maps_and_associations():
    value = loads("{#a:[1]:[2],#b:{#c:Foo{#d:[3]}},#e:@2,#f:@3,#g:@4,#h:@5,#i:@6}")
    assoc = value[S("a")]
    assert value[S("e")] is assoc.key and value[S("f")] is assoc.value
    assert value[S("g")] is value[S("b")]
    assert value[S("h")] is value[S("b")][S("c")]
    assert value[S("i")] is value[S("h")].value[S("d")]


def test_writer_numbers_like_the_reader():
    inner = [3]
    obj = StonObject("Foo", StonMap([(S("d"), inner)]))
    graph = [Association([1], inner), obj, inner, obj]
    text = dumps(graph)
    assert text == "[[1]:[3],Foo{#d:@3},@3,@4]"
    back = loads(text)
    assert back[2] is back[0].value and back[3] is back[1]


# 2. References after parsing: cycles, sharing, forward references, unknown numbers
def test_forward_reference():
    value = loads("[@2,[1]]")
    assert value[0] is value[1]


def test_forward_reference_inside_association_and_map_key():
    value = loads("[#k:@3,{@3:1},[9]]")
    assert value[0].value is value[2]
    assert value[1][value[2]] == 1 and value[1].keys()[0] is value[2]


def test_cycle_through_object_ivar():
    value = loads("Node{#next:Node{#next:@1}}")
    assert value.value[S("next")].value[S("next")] is value


@pytest.mark.parametrize("text", ["@1", "[@2]", "[@0]", "[1,@3,[2]]", "@", "[@-1]", "[@ 1]"])
def test_unknown_reference_numbers_fail(text):
    with pytest.raises(StonParseError):
        loads(text)


# 3. Hash tables keyed by references
def test_map_keys_that_are_references_are_looked_up_after_resolution():
    # numbering: 1 outer list, 2 and 3 the maps, 4 the list [@5], 5 the list [7]
    value = loads("[{@5:1},{[@5]:2},[7]]")
    key = value[2]
    assert value[0][key] == 1 and value[1][[key]] == 2
    assert value[1][[[7]]] == 2  # an Array key compares by its elements, like Smalltalk's =
    holder = loads("[Set[@4],Bag{@4:3},Point[1,2]]")
    point = holder[2]
    assert holder[0].value[0] is point and holder[1].value[point] == 3


def test_bag_with_tagged_key():
    bag = loads("Bag{Point[1,2]:3}")
    ((key, count),) = bag.value.items()
    assert key.tag == "Point" and count == 3 and bag.value[key] == 3


# 4. Nesting depth
def test_two_thousand_deep_nesting_reads_and_writes():
    depth = 2000
    text = "[" * depth + "]" * depth
    value = loads(text)
    assert dumps(value) == text
    pretty = dumps(value, pretty=True)
    assert isomorphic(loads(pretty), value)
    assoc = "1:" * depth + "1"
    assert dumps(loads(assoc)) == assoc


def test_deep_map_and_object_nesting():
    text = "{#a:" * 1500 + "1" + "}" * 1500
    assert dumps(loads(text)) == text
    text = "Foo[" * 1500 + "]" * 1500
    assert dumps(loads(text)) == text


def test_depth_limit_is_a_clean_error():
    with pytest.raises(StonParseError, match="max_depth"):
        loads("[" * 50 + "]" * 50, max_depth=10)
    with pytest.raises(StonParseError, match="max_depth"):
        loads("[" * 100_000 + "]" * 100_000)


# 5. Floats
def test_float_rounding_and_signed_zero():
    assert loads("4.9406564584124654e-324") == 5e-324
    assert loads("0.022999999999999854") == 0.022999999999999854
    zero = loads("-0.0")
    assert zero == 0.0 and math.copysign(1.0, zero) < 0
    assert dumps(-0.0) == "-0.0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e16, "1.0e16"),
        (1e15, "1.0e15"),
        (123456.0, "123456.0"),
        (1234567.0, "1.234567e6"),
        (0.0001, "0.0001"),
        (0.00001, "1.0e-5"),
        (100.0, "100.0"),
        (-1.23456e-6, "-1.23456e-6"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
        (5e-324, "5.0e-324"),
    ],
)
def test_float_text_is_pharos(value, text):
    assert dumps(value) == text
    assert loads(text) == value


def test_exponent_without_point_is_exact():
    assert loads("1e5") == 100000 and type(loads("1e5")) is int
    assert loads("1e-2") == Fraction(1, 100)
    assert loads("1E2") == 100
    assert loads("1.5e2") == 150.0 and type(loads("1.5e2")) is float
    with pytest.raises(StonParseError):
        loads("1e999999999")


# 6. Fractions and scaled decimals
def test_fractions_and_scaled_decimals_are_exact():
    assert loads("1/3s2") == ScaledDecimal(Fraction(1, 3), 2)
    assert loads("0/1s2") == ScaledDecimal(0, 2)
    assert dumps(ScaledDecimal(Fraction(-2, 6), 3)) == "-1/3s3"
    assert dumps(Fraction(3, -9)) == "-1/3"
    assert loads("4/2") == 2 and type(loads("4/2")) is int
    for bad in ["1/0", "1/0s2", "1/-3", "1/3s", "1/"]:
        with pytest.raises(StonParseError):
            loads(bad)


# 7. Strings
def test_doubled_quote_is_not_an_escape():
    with pytest.raises(StonParseError):
        loads("'it''s'")


def test_surrogates_both_directions():
    assert loads("'\\ud834\\udd1e'") == "\U0001d11e"
    assert dumps("\U0001d11e") == "'\U0001d11e'"
    for bad in ["'\\uD834'", "'\\uD834x'", "'\\uD834\\u0041'", "'\\uDD1E'", "'\\uD834\\uD834'"]:
        with pytest.raises(StonParseError):
            loads(bad)
    with pytest.raises(StonWriteError):
        dumps("lone \ud800 surrogate")
    with pytest.raises(StonWriteError):
        dumps("lone \udfff", ascii_only=True)


def test_control_characters_and_raw_newlines():
    assert dumps("\x00\x1f\x7f\x85\xa0") == "'\\u0000\\u001F\\u007F\\u0085\xa0'"
    assert loads("'a\r\nb\rc\nd'") == "a\r\nb\rc\nd"
    assert loads("'\\u00e9\\u00E9'") == "éé"


@pytest.mark.parametrize("text", ["'abc", "'abc\\'", '"abc', "'\\", "'\\x41'"])
def test_unterminated_or_bad_strings(text):
    with pytest.raises(StonParseError):
        loads(text)


# 8. Symbols
def test_symbols():
    assert dumps(S("at:put:")) == "#'at:put:'"
    assert dumps(S("")) == "#''"
    assert dumps(S("élève")) == "#'élève'"
    assert dumps(S("+")) == "#'+'"
    assert loads("#''") == S("")
    assert loads("#123foo") == S("123foo") and loads("#/root") == S("/root")
    assert loads("#---") == S("---")
    assert loads("#'foo'") is not None and loads("#'foo'") != "foo"
    with pytest.raises(StonParseError):
        loads("#at:put:")
    with pytest.raises(StonParseError):
        loads('#"x"')
    with pytest.raises(StonParseError):
        loads("# foo")


# 9. Map keys
def test_true_and_one_stay_apart():
    m = loads("{true:1,1:2,'a':3,#a:4,[1]:5,nil:6}")
    assert m[True] == 1 and m[1] == 2 and m["a"] == 3 and m[S("a")] == 4
    assert m[[1]] == 5 and m[None] == 6 and len(m) == 6
    assert dumps(m) == "{true:1,1:2,'a':3,#a:4,[1]:5,nil:6}"


def test_duplicate_keys_later_wins_in_lookup():
    m = loads("{#a:1,#a:2}")
    assert m[S("a")] == 2 and len(m) == 2


# 10. Associations
def test_associations_nest_right_and_left_nesting_does_not_round_trip():
    assert loads("1:2:3") == Association(1, Association(2, 3))
    left = Association(Association(1, 2), 3)
    assert loads(dumps(left)) == Association(1, Association(2, 3))


# 11. Tags
def test_array_and_dictionary_tags_are_the_plain_forms():
    assert loads("Array[1,2]") == [1, 2]
    assert loads("Dictionary{#a:1}")[S("a")] == 1
    for bad in [
        "Array{}",
        "Dictionary[]",
        "Float{}",
        "Float[]",
        "Float[1,2]",
        "Float['x']",
        "Foo",
        "Foo(1)",
        "Foo 1",
        "nil[1]",
    ]:
        with pytest.raises(StonParseError):
            loads(bad)


def test_unicode_tag():
    value = loads("Ärger[1]")
    assert value.tag == "Ärger"
    assert dumps(value) == "Ärger[1]"


# 13. Whitespace
def test_whitespace_between_tokens_never_inside_numbers():
    value = loads(" \t\r\n\f[ 1 ,\f2\t, Foo \n{ #a : 1 } , #b : 2 ]\n ")
    assert value[0] == 1 and value[2].value[S("a")] == 1 and value[3] == Association(S("b"), 2)
    for bad in ["1 2", "- 1", "1 /3", "1/ 3", "1 .5", "[1 2]", "\v1"]:
        with pytest.raises(StonParseError):
            loads(bad)


# 14. Trailing input
@pytest.mark.parametrize("text", ["1 2", "[1]]", "nil x", "{} {}", "'a''b'", "truex"])
def test_trailing_input_is_rejected(text):
    with pytest.raises(StonParseError):
        loads(text)


# 15. Numbers the spec forbids
@pytest.mark.parametrize("text", ["007", "-", "1.", ".5", "+1", "1e", "1e+", "--1", "0x10"])
def test_forbidden_numbers_are_rejected(text):
    with pytest.raises(StonParseError):
        loads(text)


# 16. Encoding
def test_bytes_utf8_only():
    assert load_bytes("['élève']".encode()) == ["élève"]
    with pytest.raises(StonParseError, match="byte order mark"):
        load_bytes(b"\xef\xbb\xbf[1]")
    with pytest.raises(StonParseError, match="byte order mark"):
        loads("\ufeff[1]")
    cut = "['é']".encode()[:3]
    with pytest.raises(StonParseError, match="multi-byte") as info:
        load_bytes(cut)
    assert info.value.offset == 2
    with pytest.raises(StonParseError, match="invalid UTF-8"):
        load_bytes(b"['\xff']")


def test_error_positions():
    with pytest.raises(StonParseError) as info:
        loads("[1,\n 2,\n  x]")
    error = info.value
    assert (error.offset, error.line, error.column) == (10, 3, 3)
    assert "line 3, column 3" in str(error)


# Pretty printing (STONWriter prettyPrint: true)
def test_pretty_layout():
    value = loads("{#a:[1,[]],#b:Foo{#c:Point[1,2]},#d:OrderedCollection[],#e:1:2}")
    assert dumps(value, pretty=True) == (
        "{\n\t#a : [\n\t\t1,\n\t\t[ ]\n\t],\n\t#b : Foo {\n\t\t#c : Point [ 1, 2 ]\n\t},"
        "\n\t#d : OrderedCollection [ ],\n\t#e : 1 : 2\n}"
    )


def test_big_integers():
    big = 7**20000
    text = dumps([big, -big])
    assert loads(text) == [big, -big]


def test_errors_are_value_errors_like_json():
    with pytest.raises(ValueError):
        loads("[")
    with pytest.raises(ValueError):
        dumps(object())
