"""Literal values: every literal form of Pharo, as the Python value the AST holds.

Numbers follow Pharo's NumberParser (src/NumberParser/NumberParser.class.st) including its
corners: `1e-2` is a Float (an integer with a negative exponent is a Float unless whole),
`2r1e4` is 16, lowercase radix digits are accepted, `1.5s` takes its scale from the digits.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from stui_trio.smalltalk.ast import (
    CharacterLiteral,
    LiteralArrayNode,
    LiteralNode,
    ScaledDecimalLiteral,
    SymbolLiteral,
)
from stui_trio.smalltalk.parser import parse_expression


def sd(value, scale: int) -> ScaledDecimalLiteral:
    return ScaledDecimalLiteral(Fraction(value), scale)


def sym(name: str) -> SymbolLiteral:
    return SymbolLiteral(name)


NUMBERS = [
    ("0", 0),
    ("42", 42),
    ("-3", -3),
    ("123456789012345678901234567890", 123456789012345678901234567890),
    ("16r1F", 31),
    ("16r1f", 31),
    ("2r1010", 10),
    ("-16rFF", -255),
    ("16r-FF", -255),
    ("-16r-FF", 255),
    ("36rZZ", 1295),
    ("8r777", 511),
    ("1e10", 10_000_000_000),
    ("1e0", 1),
    ("2r1e4", 16),
    ("2r1e26", 2**26),
    ("1d3", 1000),
    ("1q3", 1000),
    ("-1e3", -1000),
    ("100e-2", 1),
    ("1e-2", 0.01),
    ("1e-3", 0.001),
    ("-1e-3", -0.001),
    ("2r1e-8", 2**-8),
    ("3.14", 3.14),
    ("-1.23", -1.23),
    ("1.0e-5", 1.0e-5),
    ("1.5e3", 1500.0),
    ("1.0e-14", 1.0e-14),
    ("2r1.1", 1.5),
    ("16r1.8", 1.5),
    ("0.1", 0.1),
    ("100.0", 100.0),
    ("1.5s2", sd(Fraction(3, 2), 2)),
    ("3s2", sd(3, 2)),
    ("3s", sd(3, 0)),
    ("1.50s", sd(Fraction(3, 2), 2)),
    ("0.50s2", sd(Fraction(1, 2), 2)),
    ("0.050s3", sd(Fraction(1, 20), 3)),
    ("-1.5s2", sd(Fraction(-3, 2), 2)),
    ("1.5s", sd(Fraction(3, 2), 1)),
]


@pytest.mark.parametrize(("source", "expected"), NUMBERS)
def test_number_literal(source: str, expected: object) -> None:
    node = parse_expression(source)
    assert isinstance(node, LiteralNode)
    assert node.value == expected
    assert type(node.value) is type(expected)
    assert (node.start, node.stop) == (0, len(source))


def test_radix_round_trip_like_pharo_test_number_radix_parsing() -> None:
    for radix in range(2, 33):
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for value in range(73):
            text, n = "", value
            while True:
                text = digits[n % radix] + text
                n //= radix
                if n == 0:
                    break
            assert parse_expression(f"{radix}r{text}").value == value


def test_float_corners() -> None:
    negative_zero = parse_expression("-0.0").value
    assert negative_zero == 0.0 and math.copysign(1.0, negative_zero) == -1.0
    assert parse_expression("1.0e400").value == math.inf
    assert parse_expression("-1.0e400").value == -math.inf
    assert parse_expression("1.0e-400").value == 0.0
    smallest = "2r0." + "0" * 51 + "1e-1022"  # Pharo's testFloatMaxAndMin: Float fminDenormalized
    assert parse_expression(smallest).value == 5e-324


def test_huge_integer_literal_beyond_pythons_digit_limit() -> None:
    text = "7" * 6000
    assert parse_expression(text).value == int("7" * 3000) * 10**3000 + int("7" * 3000)
    assert parse_expression("9" * 100_000).value == 10**100_000 - 1
    assert parse_expression("37r" + "1" + "0" * 5000).value == 37**5000


@pytest.mark.parametrize(
    ("source", "shape"),
    [
        ("1e", "(1 e)"),
        ("3sqrt", "(3 sqrt)"),
        ("1.5e", "(1.5 e)"),
        ("1.5sa", "(1.5 sa)"),
        ("1e2s3", "(100 s3)"),
        ("3 r", "(3 r)"),
        ("2r1012", None),  # 2r101 then the number 2: an error, see test_parser_errors
    ],
)
def test_number_ends_where_pharo_stops(source: str, shape: str | None) -> None:
    from stui_trio.smalltalk.parser import SmalltalkSyntaxError
    from stui_trio.smalltalk.parser.dump import dump

    if shape is None:
        with pytest.raises(SmalltalkSyntaxError):
            parse_expression(source)
    else:
        assert dump(parse_expression(source)) == shape


OTHER_LITERALS = [
    ("'abc'", "abc"),
    ("''", ""),
    ("'it''s'", "it's"),
    ("''''", "'"),
    ("'two\nlines'", "two\nlines"),
    ("'\"not a comment\"'", '"not a comment"'),
    ("$a", CharacterLiteral("a")),
    ("$ ", CharacterLiteral(" ")),
    ("$'", CharacterLiteral("'")),
    ("$$", CharacterLiteral("$")),
    ('$"', CharacterLiteral('"')),
    ("$\n", CharacterLiteral("\n")),
    ("#foo", sym("foo")),
    ("#at:put:", sym("at:put:")),
    ("#Foo:bar:", sym("Foo:bar:")),
    ("#foo:bar", sym("foo:bar")),
    ("#+", sym("+")),
    ("#->", sym("->")),
    ("#==>", sym("==>")),
    ("#'a b'", sym("a b")),
    ("#'it''s'", sym("it's")),
    ("##foo", sym("foo")),
    ("#true", sym("true")),
    ("#_x1", sym("_x1")),
    ("true", True),
    ("false", False),
    ("nil", None),
]


@pytest.mark.parametrize(("source", "expected"), OTHER_LITERALS)
def test_other_literal(source: str, expected: object) -> None:
    node = parse_expression(source)
    assert isinstance(node, LiteralNode)
    assert node.value == expected
    assert (node.start, node.stop) == (0, len(source))


ARRAYS = [
    ("#()", ()),
    ("#(1 2 3)", (1, 2, 3)),
    ("#(-1)", (-1,)),
    ("#(1 -1 - 1)", (1, -1, sym("-"), 1)),
    ("#(1-2)", (1, -2)),
    ("#(foo bar: #baz nil true false $a 'str' 1.5 (1 2) #(3) #[1 2] foo:bar:)",
     (sym("foo"), sym("bar:"), sym("baz"), None, True, False, CharacterLiteral("a"), "str",
      1.5, (1, 2), (3,), b"\x01\x02", sym("foo:bar:"))),
    ("#(foo:bar)", (sym("foo:bar"),)),
    ("#(+ - ==> |)", (sym("+"), sym("-"), sym("==>"), sym("|"))),
    ("#(truex nil:)", (sym("truex"), sym("nil:"))),
    ("#(#(1) ((2)))", ((1,), ((2,),))),
    ("#(a. b; ^ :)", (sym("a"), sym("."), sym("b"), sym(";"), sym("^"), sym(":"))),
    ("#(1 \"comment\" 2)", (1, 2)),
    ("#(16r1F 1e2 1.5s2)", (31, 100, sd(Fraction(3, 2), 2))),
    ("#($( $))", (CharacterLiteral("("), CharacterLiteral(")"))),
    ("#(')')", (")",)),
    ("##(1)", (1,)),
]


@pytest.mark.parametrize(("source", "expected"), ARRAYS)
def test_literal_array(source: str, expected: tuple) -> None:
    node = parse_expression(source)
    assert isinstance(node, LiteralArrayNode)
    assert not node.is_byte_array
    assert node.value == expected
    assert (node.start, node.stop) == (0, len(source))


@pytest.mark.parametrize(
    ("source", "expected"),
    [("#[]", b""), ("#[1 2 255]", b"\x01\x02\xff"), ("#[0 16rFF 1e2]", b"\x00\xff\x64")],
)
def test_byte_array(source: str, expected: bytes) -> None:
    node = parse_expression(source)
    assert isinstance(node, LiteralArrayNode)
    assert node.is_byte_array and node.value == expected


def test_literal_array_then_more_code() -> None:
    from stui_trio.smalltalk.parser.dump import dump

    source = "#(foo: bar) , #(a:b:) size"
    assert dump(parse_expression(source)) == "(#(#foo: #bar) , (#(#a:b:) size))"
    assert dump(parse_expression("#(a:=b) foo")) == "(#(#a: #= #b) foo)"
