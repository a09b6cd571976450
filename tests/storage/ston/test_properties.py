"""Property tests: generated graphs with sharing and cycles round-trip; garbage fails cleanly."""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stui_trio.storage.ston import (
    Association,
    ScaledDecimal,
    StonMap,
    StonObject,
    StonParseError,
    StonWriteError,
    Symbol,
    dumps,
    explain_difference,
    load_bytes,
    loads,
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

text_values = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
fractions = st.fractions(max_denominator=10**6).filter(lambda f: f.denominator != 1)
primitives = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    text_values,
    text_values.map(Symbol),
    fractions,
    st.builds(ScaledDecimal, st.fractions(max_denominator=1000), st.integers(0, 12)),
)

TAGS = st.sampled_from(["Point", "Foo", "OrderedCollection", "TestUser", "Bag", "Ärger_1"])


@st.composite
def graphs(draw):
    """A root container plus up to 7 others; slots hold primitives or any container (cycles)."""
    count = draw(st.integers(1, 8))
    shapes = [draw(st.sampled_from(["list", "map", "olist", "omap"])) for _ in range(count)]
    nodes = []
    for shape in shapes:
        body = [] if shape in ("list", "olist") else StonMap()
        nodes.append(body if shape in ("list", "map") else StonObject(draw(TAGS), body))
    node_ref = st.integers(0, count - 1).map(lambda i: nodes[i])
    simple = st.one_of(primitives, node_ref)
    value = st.one_of(
        simple,
        st.builds(Association, simple, simple),
        st.builds(Association, simple, st.builds(Association, simple, simple)),
    )
    for node in nodes:
        body = node.value if type(node) is StonObject else node
        if type(body) is list:
            body.extend(draw(st.lists(value, max_size=5)))
        else:
            for _ in range(draw(st.integers(0, 4))):
                body.append(draw(simple), draw(value))
    return nodes[0]


@SETTINGS
@given(graphs(), st.booleans(), st.booleans())
def test_round_trip_keeps_the_graph(graph, pretty, ascii_only):
    try:
        text = dumps(graph, pretty=pretty, ascii_only=ascii_only)
    except StonWriteError as exc:  # a non-ASCII tag has no escape
        assert ascii_only and "cannot be escaped" in str(exc)
        return
    if ascii_only:
        assert text.isascii()
    back = loads(text)
    assert explain_difference(graph, back) is None
    assert dumps(back, pretty=pretty, ascii_only=ascii_only) == text
    assert load_bytes(text.encode("utf-8")) is not None


@SETTINGS
@given(graphs())
def test_pretty_and_compact_mean_the_same(graph):
    compact, pretty = loads(dumps(graph)), loads(dumps(graph, pretty=True))
    assert explain_difference(compact, pretty) is None


@SETTINGS
@given(primitives)
def test_primitives_round_trip_exactly(value):
    back = loads(dumps(value))
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert type(back) is type(value) and back == value
        if isinstance(value, float):
            assert math.copysign(1, back) == math.copysign(1, value)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_always_has_a_point_and_no_plus(value):
    text = dumps(value)
    mantissa = text.split("e")[0]
    assert "." in mantissa and "+" not in text
    assert loads(text) == value and type(loads(text)) is float


@SETTINGS
@given(st.fractions())
def test_fractions_written_reduced_with_sign_on_numerator(value):
    text = dumps(value)
    assert loads(text) == value
    if value.denominator != 1:
        num, den = text.split("/")
        assert Fraction(int(num), int(den)) == value and not den.startswith("-")


def _only_parse_errors(text):
    with contextlib.suppress(StonParseError):
        loads(text)


ston_alphabet = st.sampled_from([*list("[]{},:#@'\"\\/.-+eEs0123456789 \tnultrfaTPFXu"), "\n"])


@settings(max_examples=400, deadline=None)
@given(st.text(ston_alphabet, max_size=40))
def test_random_ston_like_text_raises_only_parse_errors(text):
    _only_parse_errors(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_text_raises_only_parse_errors(text):
    _only_parse_errors(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60))
def test_random_bytes_raise_only_parse_errors(data):
    with contextlib.suppress(StonParseError):
        load_bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.data())
def test_mutated_valid_text_raises_only_parse_errors(graph, data):
    text = dumps(graph)
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, min(len(text), i + 3)))
    insert = data.draw(st.text(ston_alphabet, max_size=3))
    _only_parse_errors(text[:i] + insert + text[j:])
    _only_parse_errors(text[:i])  # every truncation too
