"""STONReaderTest (svenvc/ston, commit e179676) ported: the same inputs, the same expectations.

Pharo-side classes map to the neutral model: Array -> list, Dictionary -> StonMap, Point and
friends -> StonObject (or the `pharo_registry` values where the test is about the tag).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from stui_trio.storage.ston import (
    Association,
    Character,
    ClassRef,
    Date,
    DateAndTime,
    Point,
    ScaledDecimal,
    StonMap,
    StonObject,
    StonParseError,
    Symbol,
    Time,
    loads,
    pharo_registry,
)

S = Symbol


def materialize(text: str):
    return loads(text)


def tagged(text: str):
    return pharo_registry().loads(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'foo':1", Association("foo", 1)),
        ("#bar:2", Association(S("bar"), 2)),
        ("'foo bar':#ok", Association("foo bar", S("ok"))),
        ("123:456", Association(123, 456)),
        ("'foo' : 1", Association("foo", 1)),
        ("#bar : 2", Association(S("bar"), 2)),
        ("'foo bar' : #ok", Association("foo bar", S("ok"))),
        ("123 : -456", Association(123, -456)),
        ("#foo : 1 : 2", Association(S("foo"), Association(1, 2))),
    ],
)
def test_association(text, expected):
    assert materialize(text) == expected


def test_bag():
    bag = tagged("Bag{#a:2,#b:3}")
    assert bag.tag == "Bag" and bag.value.items() == [(S("a"), 2), (S("b"), 3)]
    assert tagged("Bag{}").value.items() == []


def test_boolean():
    assert materialize("true") is True
    assert materialize("false") is False


def test_byte_array():
    assert tagged("ByteArray['010203']") == bytes([1, 2, 3])


def test_character():
    assert tagged("Character['A']") == Character("A")


def test_class_and_metaclass():
    assert tagged("Class[#Point]") == ClassRef("Point")
    assert tagged("Metaclass[#Point]") == ClassRef("Point", meta=True)


def test_date():
    assert tagged("Date['2012-01-01Z']") == Date(2012, 1, 1)
    assert tagged("Date['2012-01-01+00:00']").text() == "2012-01-01Z"
    plus_one = tagged("Date['2012-01-01+01:00']")
    assert plus_one.offset.total_seconds() == 3600
    assert tagged("Date['2012-01-01']").offset is None  # "local zone": read, never written


def test_date_and_time():
    value = tagged("DateAndTime['2012-01-01T06:30:15+01:00']")
    assert value == DateAndTime(2012, 1, 1, 6, 30, 15, 0, value.offset)
    assert value.to_datetime().utcoffset().total_seconds() == 3600


def test_time():
    assert tagged("Time['06:30:15']") == Time(6, 30, 15)
    assert tagged("Time['06:30:15.000000123']") == Time(6, 30, 15, 123)


def test_deep_structure():
    # STONReaderTest>>testDeepStructure: 1024 nested arrays, the deepest refers to the holder.
    holder = [42]
    structure = [holder]
    for _ in range(1024):
        structure = [structure]
    text = "[[42]," + "[" * 1025 + "@2" + "]" * 1025 + "]"
    result = materialize(text)
    node = result[1]
    for _ in range(1024):
        node = node[0]
    assert node[0] is result[0] and result[0] == [42]


def test_dictionary():
    m = materialize("{1:1,2:2}")
    assert isinstance(m, StonMap) and m[1] == 1 and m[2] == 2
    assert len(materialize("{}")) == 0


def test_dictionary_with_complex_keys():
    m = materialize("{true:1,[#foo]:2}")
    assert m[True] == 1 and m[[S("foo")]] == 2
    assert 1 not in m  # true and 1 stay apart (note 8.9)


def test_dictionary_with_reference_keys():
    # the keys are references to elements of an earlier collection (here UUID-like strings)
    keys = [f"ByteArray['{i:02x}']" for i in range(10)]
    text = "[OrderedCollection[" + ",".join(keys) + "],{"
    text += ",".join(f"@{i + 3}:{i + 1}" for i in range(10)) + "}]"
    collection, mapping = materialize(text)
    for index, key in enumerate(collection.value, start=1):
        assert mapping[key] == index


def test_dictionary_with_indirect_reference_keys():
    keys = [f"ByteArray['{i:02x}']" for i in range(10)]
    text = "[OrderedCollection[" + ",".join(keys) + "],{"
    text += ",".join(f"[@{i + 3}]:{i + 1}" for i in range(10)) + "}]"
    collection, mapping = materialize(text)
    for index, key in enumerate(collection.value, start=1):
        assert mapping[[key]] == index


@pytest.mark.parametrize(
    "text",
    ["foo", "{foo:}", "{foo,}", "[1,]", "+1", "]", "#", "", "  ", "\t", "nul", "tru", "fals"],
)
def test_error(text):
    with pytest.raises(StonParseError):
        materialize(text)


def test_float():
    assert materialize("1.5") == 1.5
    assert materialize("-1.5") == -1.5
    assert materialize("0.0") == 0.0
    assert math.isclose(materialize("3.14159"), math.pi, abs_tol=1e-5)
    assert math.isclose(materialize("0.333333"), 1 / 3, abs_tol=1e-6)
    assert materialize("1.0e100") == 1.0e100
    assert materialize("1.0e-100") == 1.0e-100
    assert materialize("-1.0e-100") == -1.0e-100
    assert math.isnan(materialize("Float[#nan]"))
    assert materialize("Float[#infinity]") == math.inf
    assert materialize("Float[#negativeInfinity]") == -math.inf
    assert math.isclose(materialize("Float[3.14159]"), math.pi, abs_tol=1e-5)


def test_fraction():
    assert materialize("1/3") == Fraction(1, 3)
    assert materialize("-1/3") == Fraction(-1, 3)
    assert materialize("100/11") == Fraction(100, 11)


def test_identity_dictionary():
    value = materialize("IdentityDictionary{1:1,2:2}")
    assert value.tag == "IdentityDictionary" and value.value.items() == [(1, 1), (2, 2)]
    assert materialize("IdentityDictionary{}").value.items() == []


@pytest.mark.parametrize("text", ["'\\a'", "'\\u'", "'\\u00'", "'\\u000'", "'\\*'"])
def test_illegal_character_escapes(text):
    with pytest.raises(StonParseError):
        materialize(text)


def test_integer():
    for text, value in [("1", 1), ("-1", -1), ("0", 0), ("1234567890", 1234567890)]:
        assert materialize(text) == value
    assert materialize("-1234567890") == -1234567890


def test_json_string():
    assert materialize('"foo"') == "foo"
    assert materialize('"FOO"') == "FOO"
    assert materialize('"\\u00E9l\\u00E8ve en Fran\\u00E7ais"') == "élève en Français"
    assert materialize('"\\"\\\'\\\\\\t\\r\\n\\f\\b"') == "\"'\\\t\r\n\f\b"


def test_list():
    assert materialize("[1,2,3]") == [1, 2, 3]
    assert materialize("[]") == []


def test_map():
    assert materialize("{#foo:1}")[S("foo")] == 1
    assert len(materialize("{}")) == 0


def test_new_symbol():
    value = materialize("#notASymbol0")
    assert type(value) is Symbol and value.name == "notASymbol0"


def test_nil_and_null():
    assert materialize("nil") is None
    assert materialize("null") is None


def test_non_bmp_character_decoding():
    assert materialize("'\\uD834\\uDD1E'") == "\U0001d11e"


def test_object_and_point():
    assert tagged("Point[1,2]") == Point(1, 2)
    assert tagged("Point[1.5,-0.5]") == Point(1.5, -0.5)
    point = materialize("Point[1,2]")
    assert type(point) is StonObject and point.tag == "Point" and point.value == [1, 2]


def test_ordered_collection():
    assert materialize("OrderedCollection[1,2,3]").value == [1, 2, 3]
    assert materialize("OrderedCollection[]").value == []


def test_reference_cycle():
    array = materialize("[1,@1]")
    assert type(array) is list and len(array) == 2
    assert array[0] == 1 and array[1] is array


def test_reference_sharing():
    array = materialize("[[#one],@2,@2]")
    assert array[0] == [S("one")]
    assert array[0] is array[1] and array[0] is array[2]


def test_scaled_decimal():
    assert materialize("1/3s2") == ScaledDecimal(Fraction(1, 3), 2)
    assert materialize("-1/3s2") == ScaledDecimal(Fraction(-1, 3), 2)
    assert materialize("1/3s10") == ScaledDecimal(Fraction(1, 3), 10)
    assert materialize("-1/3s10") == ScaledDecimal(Fraction(-1, 3), 10)


def test_set_with_reference_elements():
    text = "[OrderedCollection[" + ",".join(f"'e{i}'" for i in range(10)) + "],Set["
    text += ",".join(f"[@{i + 3}]" for i in range(3)) + "]]"
    _elements, the_set = materialize(text)
    assert the_set.tag == "Set" and len(the_set.value) == 3


def test_string():
    assert materialize("'foo'") == "foo"
    assert materialize("'FOO'") == "FOO"
    assert materialize("'\\u00E9l\\u00E8ve en Fran\\u00E7ais'") == "élève en Français"
    assert materialize("'\\\"\\'\\\\\\/\\t\\r\\n\\f\\b'") == "\"'\\/\t\r\n\f\b"


def test_symbol():
    assert materialize("#'foo'") == S("foo")
    assert materialize("#foo") == S("foo")
    assert materialize("#foo") != "foo"


def test_unknown_classes_are_kept_or_refused_by_policy():
    from stui_trio.storage.ston import StonMappingError

    text = "FooBar { #foo : 1, #bar : true }"
    with pytest.raises(StonMappingError):
        pharo_registry().loads(text)
    kept = pharo_registry(unknown="keep").loads(text)
    assert kept.tag == "FooBar" and kept.value[S("foo")] == 1 and kept.value[S("bar")] is True


def test_user():
    user = materialize("STONTestUser{#username:'john@foo.com',#password:'secret1',#enabled:true}")
    assert user.tag == "STONTestUser"
    assert user.value[S("username")] == "john@foo.com"
    assert user.value[S("password")] == "secret1"
    assert user.value[S("enabled")] is True


def test_whitespace():
    assert materialize(" \t\r\n123") == 123


def test_wide_symbol():
    assert materialize("#'яблоко'") == S("яблоко")
    assert materialize("#яблоко") == S("яблоко")


def test_url_mime_file_tags_read_as_objects():
    for text in [
        "URL['https://pharo.org/files/pharo.png']",
        "MimeType['application/json']",
        "FILE['/tmp/foo.txt']",
    ]:
        value = materialize(text)
        assert type(value) is StonObject and len(value.value) == 1
