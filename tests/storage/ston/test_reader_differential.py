"""The fast STON reader against the reference copy of the old one (`ston_reference_reader.py`).

The reader's fast paths (named escapes decoded with str.replace, ASCII symbols, ``'key':value``
entries and whole flat maps in one match) must not change what is read nor how a broken text
is reported. Hypothesis writes STON texts directly (not through the writer), with the shapes
the fast paths look for, the near misses they must leave alone (whitespace, escapes, non-ASCII
symbol characters, ``007``, ``1e5``, associations as map values) and random damage; both
readers must answer the same graph (up to identity), or the same error at the same place.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stui_trio.storage.ston import StonParseError, explain_difference, loads
from tests.storage.ston import ston_reference_reader as reference

SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(read: Any, text: str) -> tuple[Any, ...]:
    try:
        return ("ok", read(text))
    except StonParseError as exc:
        return ("error", exc.message, exc.offset, exc.line, exc.column)


def assert_same(text: str) -> None:
    new, old = outcome(loads, text), outcome(reference.loads, text)
    assert new[0] == old[0], (text, new, old)
    if new[0] == "ok":
        assert explain_difference(new[1], old[1]) is None, text
    else:
        assert new == old, text


# ---- pieces of STON text: good ones (so that many texts are valid and values get compared)
# and near misses (so that errors get compared too)

good_body = st.sampled_from([
    "a", "value 1", "", " ", "é", "日本", "\n", "\t", "\x00", "\x7f", '"', "/", ":", ",", "}",
    "\\'", "\\\\", "\\n", "\\t", "\\/", '\\"', "\\b", "\\f", "\\r", "\\u0041", "\\u00e9",
    "\\uD834\\uDD1E", "\\\\n", "\\\\\\'",
])
bad_body = st.sampled_from(["\\uD834", "\\uDD1E", "\\a", "\\u12", "\\", "'", "\\uD834\\u0041"])


def quoted(piece: Any, quote: str = "'") -> Any:
    return st.lists(piece, max_size=5).map(lambda b: quote + "".join(b) + quote)


good_strings = quoted(good_body)
any_strings = quoted(st.one_of(good_body, bad_body))
dq_strings = quoted(good_body.map(lambda b: b.replace('"', "'")), '"')
name_chars = st.sampled_from([*"abzAZ09_./-", "é", "ß", "x1"])
good_symbols = st.one_of(
    st.lists(name_chars, min_size=1, max_size=5).map(lambda s: "#" + "".join(s)),
    good_strings.map(lambda s: "#" + s),
)
bad_symbols = st.sampled_from(["#", "#:", "#a:b", "#٣", "#a٣", "#'\\a'", "# a"])
good_numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["0", "-0", "1.5", "-0.0", "1e5", "1e-2", "1.0e16", "1/3", "4/2", "1/3s2",
                     "123456789012345678", "1234567890123456789", "10e3", "1E2", "0.5e-3"]),
)
bad_numbers = st.sampled_from(["007", "1/0", "1.", "-", "01", "1/-3", "1e", ".5"])
good_constants = st.sampled_from(["nil", "true", "false", "null"])
bad_constants = st.sampled_from(["nilx", "truex", "tru", "Nil", "n", "falsey"])
good_refs = st.sampled_from(["@1", "@1", "@2", "@3"])
bad_refs = st.sampled_from(["@9", "@0", "@", "@01", "@ 1"])
good_specials = st.sampled_from(["Float[#nan]", "Float[#infinity]", "Float[1.5]", "Array[]",
                                 "Dictionary{}", "Point [1,2]", "Foo{}"])
bad_specials = st.sampled_from(["Float[]", "Float{}", "Array{}", "Dictionary[]", "Foo", "foo[]"])
ws = st.sampled_from(["", "", "", " ", "\n", "\t ", "\f", "\r\n"])
good_scalars = st.one_of(good_strings, good_strings, good_symbols, good_numbers, good_constants,
                         good_refs, good_specials, dq_strings)
bad_scalars = st.one_of(any_strings, bad_symbols, bad_numbers, bad_constants, bad_refs,
                        bad_specials)
tags = st.sampled_from(["", "", "", "Point", "OrderedCollection", "Foo", "Array", "Dictionary",
                        "Ärger_1", "Float"])


def join(items: list[str], seps: list[str]) -> str:
    return ",".join(s + item for item, s in zip(items, seps + [""] * len(items), strict=False))


@st.composite
def containers(draw: Any, children: Any, keys: Any) -> str:
    tag = draw(tags)
    space = draw(ws)
    if draw(st.booleans()):
        items = draw(st.lists(children, max_size=5))
        return f"{tag}[{space}{join(items, draw(st.lists(ws, max_size=5)))}]"
    entries = [
        f"{k}{draw(ws)}:{draw(ws)}{draw(children)}"
        for k in draw(st.lists(st.one_of(keys, keys, children), max_size=5))
    ]
    return f"{tag}{{{space}{','.join(entries)}}}"


def texts(scalars: Any, keys: Any) -> Any:
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            containers(children, keys),
            st.tuples(children, children).map(lambda kv: f"{kv[0]}:{kv[1]}"),  # associations
        ),
        max_leaves=25,
    )


values = texts(good_scalars, st.one_of(good_strings, good_symbols, good_numbers))
near_misses = texts(st.one_of(good_scalars, good_scalars, bad_scalars),
                    st.one_of(any_strings, good_symbols, bad_symbols, good_numbers))

# Flat maps as the session document is full of, and maps where only some entries are plain
# (the one-entry fast path), with their near misses.
plain_values = st.one_of(good_strings, st.sampled_from(["true", "false", "nil", "0", "-7", "42"]))
not_plain = st.sampled_from(["[1]", "#s", "{}", "Point[1,2]", "1/3", "'a' : 1", "@1", "1.5",
                             "1e5", "12345678901234567890", "'a':1"])
flat_maps = st.lists(st.tuples(good_strings, plain_values), max_size=6).map(
    lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
)
mixed_maps = st.lists(
    st.tuples(good_strings, st.one_of(plain_values, plain_values, not_plain, values)), max_size=6
).map(lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}")
broken_maps = st.lists(
    st.tuples(any_strings, st.one_of(plain_values, not_plain, bad_scalars)), max_size=6
).map(lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}")


@SETTINGS
@given(values)
def test_generated_texts_read_the_same(text):
    assert_same(text)


@SETTINGS
@given(near_misses)
def test_near_misses_read_or_fail_the_same(text):
    assert_same(text)


@SETTINGS
@given(st.lists(st.one_of(flat_maps, mixed_maps, values), min_size=1, max_size=6))
def test_lists_of_flat_maps_read_the_same(items):
    assert_same("[" + ",".join(items) + "]")
    assert_same("{'k':[" + ",".join(items) + "],'m':" + items[0] + "}")


@SETTINGS
@given(st.lists(broken_maps, min_size=1, max_size=4))
def test_broken_maps_fail_the_same(items):
    assert_same("[" + ",".join(items) + "]")


@SETTINGS
@given(values, st.data())
def test_damaged_texts_fail_the_same(text, data):
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, min(len(text), i + 3)))
    insert = data.draw(st.text(st.sampled_from(list("[]{},:#@'\"\\ ntfe0-1/.sP")), max_size=3))
    assert_same(text[:i] + insert + text[j:])
    assert_same(text[:i])


def test_a_session_shaped_document_reads_the_same():
    entries = ",".join(
        f"'b{i}':{{'print_string':'\\'value {i}\\'','class':'ByteString',"
        f"'object_ref':'obj-{i}','stored':true,'n':{i},'x':nil}}"
        for i in range(300)
    )
    bindings = ",".join(f"'b{i}':[{i},#sym{i},'x',Point[{i},{i + 1}]]" for i in range(100))
    registry = ",".join(f"['obj-{i}',@{2 + i}]" for i in range(100))
    text = (
        f"StuiSession{{#format:1,#state:{{'workspace_context':{{{entries}}}}},"
        f"#workspace:StuiWorkspace{{#bindings:{{{bindings}}},#registry:[{registry}]}}}}"
    )
    assert_same(text)
    assert loads(text).value.pairs[1][1].pairs[0][1].pairs[0][1].pairs[0] == (
        "print_string", "'value 0'"
    )


def test_depth_100k_reads_without_recursion():
    depth = 100_000
    value = loads("[" * depth + "{'a':1}" + "]" * depth, max_depth=depth + 1)
    for _ in range(depth):
        assert type(value) is list and len(value) == 1
        value = value[0]
    assert value["a"] == 1
