"""STONWriterTest (svenvc/ston, commit e179676) ported with the exact expected strings."""

from __future__ import annotations

import math
import uuid
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
    StonWriteError,
    Symbol,
    Time,
    dumps,
    pharo_registry,
)
from stui_trio.storage.ston.writer import symbol_text

S = Symbol


def serialize(value):
    return dumps(value)


def tagged(value, **kw):
    return pharo_registry().dumps(value, **kw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Association("foo", 1), "'foo':1"),
        (Association(S("bar"), 2), "#bar:2"),
        (Association("foo bar", S("ok")), "'foo bar':#ok"),
        (Association(123, 456), "123:456"),
    ],
)
def test_association(value, expected):
    assert serialize(value) == expected


def test_bag():
    assert serialize(StonObject("Bag", StonMap([(S("a"), 2)]))) == "Bag{#a:2}"
    assert serialize(StonObject("Bag", StonMap())) == "Bag{}"


def test_boolean():
    assert serialize(True) == "true"
    assert serialize(False) == "false"


def test_byte_array():
    assert tagged(bytes([1, 2, 3])) == "ByteArray['010203']"


def test_class_and_metaclass():
    assert tagged(ClassRef("Point")) == "Class[#Point]"
    assert tagged(ClassRef("Point", meta=True)) == "Metaclass[#Point]"


def test_custom_newline_pretty():
    assert dumps([1], pretty=True, newline="\n") == "[\n\t1\n]"
    assert dumps([1], pretty=True, newline="\r\n") == "[\r\n\t1\r\n]"


def test_date():
    import datetime

    assert tagged(Date(2012, 1, 1)) == "Date['2012-01-01Z']"
    plus_one = Date(2012, 1, 1, datetime.timedelta(hours=1))
    assert tagged(plus_one) == "Date['2012-01-01+01:00']"


def test_date_and_time():
    import datetime

    value = DateAndTime(2012, 1, 1, 6, 30, 15, 0, datetime.timedelta(hours=1))
    assert tagged(value) == "DateAndTime['2012-01-01T06:30:15+01:00']"


def test_dictionary():
    assert serialize(StonMap([(1, 1), (2, 2)])) == "{1:1,2:2}"
    assert serialize(StonMap()) == "{}"
    assert serialize({1: 1, 2: 2}) == "{1:1,2:2}"


def test_dictionary_with_complex_keys():
    assert serialize(StonMap([(True, 1), ([S("foo")], 2)])) == "{true:1,[#foo]:2}"


def test_empty_array_and_dictionary_pretty():
    assert dumps([], pretty=True) == "[ ]"
    assert dumps(StonMap(), pretty=True) == "{ }"


def test_float():
    assert serialize(1.5) == "1.5"
    assert serialize(0.0) == "0.0"
    assert serialize(-1.5) == "-1.5"
    assert serialize(math.pi).startswith("3.14159")
    assert serialize(1 / 3).startswith("0.333")
    assert serialize(float(10**100)) == "1.0e100"
    assert serialize(10.0**-50) == "1.0e-50"
    assert serialize(-(10.0**-50)) == "-1.0e-50"
    assert serialize(math.nan) == "Float[#nan]"
    assert serialize(math.inf) == "Float[#infinity]"
    assert serialize(-math.inf) == "Float[#negativeInfinity]"


def test_fraction():
    assert serialize(Fraction(1, 3)) == "1/3"
    assert serialize(Fraction(-1, 3)) == "-1/3"
    assert serialize(Fraction(10, 100)) == "1/10"
    assert serialize(Fraction(100, 10)) == "10"
    assert serialize(Fraction(123, 123)) == "1"
    assert serialize(Fraction(100, 11)) == "100/11"


def test_identity_dictionary():
    value = StonObject("IdentityDictionary", StonMap([(1, 1), (2, 2)]))
    assert serialize(value) == "IdentityDictionary{1:1,2:2}"
    assert serialize(StonObject("IdentityDictionary", StonMap())) == "IdentityDictionary{}"


def test_integer():
    for value in [1, 0, -1, 1234567890, -1234567890]:
        assert serialize(value) == str(value)


@pytest.mark.parametrize(
    "name", ["foo", "az", "AZ", "N0123456789", "foo123", "Foo/Bar", "Foo.Bar", "Foo-Bar", "Foo_Bar"]
)
def test_is_simple_symbol(name):
    assert symbol_text(name) == "#" + name


def test_is_not_simple_symbol():
    assert symbol_text("#^&$%") == "#'#^&$%'"


def test_list():
    assert serialize([1, 2, 3]) == "[1,2,3]"
    assert serialize([]) == "[]"
    value = [1, -1, 0, S("foo"), "a b c", True, False, None]
    assert serialize(value) == "[1,-1,0,#foo,'a b c',true,false,nil]"


def test_map():
    assert serialize(StonMap([(S("foo"), 1), (S("bar"), 2)])) == "{#foo:1,#bar:2}"
    assert serialize(StonMap([("foo bar", S("ok"))])) == "{'foo bar':#ok}"
    assert serialize(StonMap([(123, 456)])) == "{123:456}"


def test_nil():
    assert serialize(None) == "nil"


def test_non_bmp_character_encoding():
    assert dumps("\U0001d11e", ascii_only=True) == "'\\uD834\\uDD1E'"


def test_ordered_collection():
    assert serialize(StonObject("OrderedCollection", [1, 2, 3])) == "OrderedCollection[1,2,3]"
    assert serialize(StonObject("OrderedCollection", [])) == "OrderedCollection[]"


def test_point():
    assert tagged(Point(1, 2)) == "Point[1,2]"
    assert tagged(Point(1, 2), pretty=True) == "Point [ 1, 2 ]"


def test_reference_cycle():
    array = [1, None]
    array[1] = array
    assert serialize(array) == "[1,@1]"


def test_reference_sharing():
    one = [S("one")]
    assert serialize([one, one, one]) == "[[#one],@2,@2]"


def test_scaled_decimal():
    assert serialize(ScaledDecimal(Fraction(1, 3), 2)) == "1/3s2"
    assert serialize(ScaledDecimal(Fraction(-1, 3), 2)) == "-1/3s2"
    assert serialize(ScaledDecimal(Fraction(1, 3), 10)) == "1/3s10"
    assert serialize(ScaledDecimal(Fraction(-1, 3), 10)) == "-1/3s10"
    assert serialize(ScaledDecimal(0, 2)) == "0/1s2"


def test_string():
    assert serialize("foo") == "'foo'"
    assert serialize("FOO") == "'FOO'"
    assert dumps("élève en Français", ascii_only=True) == "'\\u00E9l\\u00E8ve en Fran\\u00E7ais'"
    assert serialize("élève en Français") == "'élève en Français'"
    assert serialize("\"'\\/\t\r\n\f\b") == "'\"\\'\\\\/\\t\\r\\n\\f\\b'"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("foo", "#foo"),
        ("FOO", "#FOO"),
        ("bytes", "#bytes"),
        ("foo.bar", "#foo.bar"),
        ("foo-bar", "#foo-bar"),
        ("foo_bar", "#foo_bar"),
        ("foo/bar", "#foo/bar"),
        ("foo bar", "#'foo bar'"),
        ("foo123", "#foo123"),
    ],
)
def test_symbol(name, expected):
    assert serialize(S(name)) == expected


def test_time():
    assert tagged(Time(6, 30, 15)) == "Time['06:30:15']"
    assert tagged(Time(6, 30, 15, 123)) == "Time['06:30:15.000000123']"


def test_user_and_nil_ivars():
    user = StonObject(
        "TestUser",
        StonMap(
            [(S("username"), "john@foo.com"), (S("password"), "secret1"), (S("enabled"), True)]
        ),
    )
    assert serialize(user) == "TestUser{#username:'john@foo.com',#password:'secret1',#enabled:true}"
    nils = StonObject(
        "TestUser3", StonMap([(S("username"), None), (S("password"), None), (S("enabled"), True)])
    )
    assert serialize(nils) == "TestUser3{#username:nil,#password:nil,#enabled:true}"


def test_character_shared_like_pharo_constants():
    a = Character("a")
    assert tagged([a, a]) == "[Character['a'],@2]"
    assert tagged(a, pretty=True) == "Character [ 'a' ]"


def test_uuid():
    u = uuid.UUID("bb71b026-0000-4000-8000-000000000001")
    assert tagged(u) == "UUID['bb71b02600004000800000000000000" + "1']"


def test_url_mime_file_tags():
    assert serialize(StonObject("URL", ["mailto:sven@stfx.eu"])) == "URL['mailto:sven@stfx.eu']"
    text = "MimeType['text/plain;charset=utf-8']"
    assert serialize(StonObject("MimeType", ["text/plain;charset=utf-8"])) == text
    assert serialize(StonObject("FILE", ["/tmp/foo.txt"])) == "FILE['/tmp/foo.txt']"


def test_unwritable_values_are_clean_errors():
    for bad in [object(), {1, 2}, b"raw", StonObject("lower", [])]:
        with pytest.raises(StonWriteError):
            serialize(bad)
