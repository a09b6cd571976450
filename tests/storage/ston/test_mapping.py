"""TagRegistry: domain objects in and out, with aliases, policies, sharing and cycles."""

from __future__ import annotations

import datetime
import uuid

import pytest

from stui_trio.storage.ston import (
    Association,
    Character,
    ClassRef,
    Date,
    DateAndTime,
    Point,
    StonMap,
    StonMappingError,
    StonObject,
    Symbol,
    TagCodec,
    TagRegistry,
    Time,
    dumps,
    loads,
    pharo_codecs,
    pharo_registry,
)

S = Symbol


class User:
    """A stand-in for an engine object: filled after allocation, so cycles can point at it."""

    IVARS = ("username", "password", "enabled", "friend")

    def __init__(self) -> None:
        for name in self.IVARS:
            setattr(self, name, None)


def user_codec() -> TagCodec:
    def create(node: StonObject) -> User:
        return User()

    def fill(obj: User, node: StonObject, convert) -> None:
        for key, value in node.value.items():
            if key.name not in User.IVARS:
                raise StonMappingError(f"User has no instance variable {key.name}")
            setattr(obj, key.name, convert(value))

    def encode(obj: User) -> StonObject:
        pairs = [(S(n), getattr(obj, n)) for n in User.IVARS if getattr(obj, n) is not None]
        return StonObject("TestUser", StonMap(pairs))

    return TagCodec(
        "TestUser",
        aliases=("STONTestUser",),
        types=(User,),
        create=create,
        fill=fill,
        encode=encode,
    )


def registry(**kw) -> TagRegistry:
    reg = pharo_registry(**kw)
    reg.register(user_codec())
    return reg


def test_alias_reads_and_primary_tag_writes():
    reg = registry()
    user = reg.loads("STONTestUser{#username:'john@foo.com',#password:'secret1',#enabled:true}")
    assert isinstance(user, User) and user.username == "john@foo.com" and user.enabled is True
    assert reg.dumps(user) == "TestUser{#username:'john@foo.com',#password:'secret1',#enabled:true}"
    assert reg.dumps(User()) == "TestUser{}"


def test_cycles_and_sharing_survive_both_directions():
    reg = registry()
    alice, bob = User(), User()
    alice.username, bob.username = "alice", "bob"
    alice.friend, bob.friend = bob, alice
    workspace = StonMap([(S("a"), alice), (S("b"), bob), (S("again"), alice)])
    text = reg.dumps(workspace)
    assert text == (
        "{#a:TestUser{#username:'alice',#friend:TestUser{#username:'bob',#friend:@2}},"
        "#b:@3,#again:@2}"
    )
    back = reg.loads(text)
    a, b = back[S("a")], back[S("b")]
    assert a.friend is b and b.friend is a and back[S("again")] is a


def test_self_cycle_in_a_domain_object():
    reg = registry()
    me = User()
    me.friend = me
    assert reg.dumps(me) == "TestUser{#friend:@1}"
    again = reg.loads("TestUser{#friend:@1}")
    assert again.friend is again


def test_unknown_ivar_is_the_codecs_policy():
    with pytest.raises(StonMappingError, match="no instance variable"):
        registry().loads("TestUser{#shoeSize:42}")


def test_unknown_tag_policies():
    with pytest.raises(StonMappingError, match="unknown class tag 'Gadget'"):
        registry().loads("[Gadget{#a:1}]")
    kept = registry(unknown="keep").loads("[Gadget{#a:Point[1,2]},@2]")
    assert kept[0].tag == "Gadget" and kept[0].value[S("a")] == Point(1, 2)
    assert kept[1] is kept[0]


def test_cycle_through_a_one_step_codec_is_reported():
    with pytest.raises(StonMappingError, match="cycle runs through Point"):
        registry().loads("Point[@1,2]")


def test_pharo_values_round_trip():
    reg = registry()
    point = Point(1, 2)
    values = [
        point,
        point,
        Character("a"),
        bytes([0, 255]),
        uuid.UUID(int=5),
        ClassRef("Point"),
        ClassRef("Point", meta=True),
        Date(2012, 1, 1, datetime.timedelta(hours=-5)),
        Time(6, 30, 15, 500_000_000),
        DateAndTime(2012, 1, 1, 6, 30, 15, 123, datetime.timedelta(0)),
        Association(S("k"), point),
    ]
    text = reg.dumps(values)
    assert text.startswith("[Point[1,2],@2,Character['a'],ByteArray['00ff'],UUID['")
    assert "Date['2012-01-01-05:00']" in text and "Time['06:30:15.5']" in text
    assert "DateAndTime['2012-01-01T06:30:15.000000123+00:00']" in text
    back = reg.loads(text)
    assert back == values and back[0] is back[1] and back[-1].value is back[0]


def test_date_and_time_from_datetime():
    dt = datetime.datetime(2024, 2, 29, 23, 59, 1, 250000, tzinfo=datetime.UTC)
    value = DateAndTime.from_datetime(dt)
    assert value.text() == "2024-02-29T23:59:01.25+00:00" and value.to_datetime() == dt


def test_collections_are_shape_checked():
    reg = registry()
    oc = reg.loads("OrderedCollection[1,Point[1,2]]")
    assert oc.tag == "OrderedCollection" and oc.value == [1, Point(1, 2)]
    for bad in [
        "Set{}",
        "Bag[1]",
        "Bag{#a:0}",
        "Bag{#a:'x'}",
        "Interval[1,2]",
        "Point[1]",
        "Character['ab']",
        "ByteArray['zz']",
        "Date['2012-13-01Z']",
        "Time['25:00:00']",
        "Class['Point']",
    ]:
        with pytest.raises(StonMappingError):
            reg.loads(bad)


def test_finish_runs_after_everything_is_filled():
    class HashSet:
        def __init__(self) -> None:
            self.items: list = []
            self.index: set | None = None

    def fill(obj, node, convert):
        obj.items.extend(convert(each) for each in node.value)

    def finish(obj):
        obj.index = {id(each) for each in obj.items}

    reg = TagRegistry(
        [*pharo_codecs(), TagCodec("Set", create=lambda n: HashSet(), fill=fill, finish=finish)]
    )
    result = reg.loads("[Set[@3],[1]]")
    assert result[0].index == {id(result[1])}


def test_array_and_dictionary_codecs_replace_the_plain_forms():
    class EngineArray(list):
        pass

    def fill(obj, node, convert):
        obj.extend(convert(each) for each in node)

    reg = TagRegistry([TagCodec("Array", create=lambda n: EngineArray(), fill=fill)])
    value = reg.loads("[1,[2],@1]")
    assert type(value) is EngineArray and type(value[1]) is EngineArray and value[2] is value


def test_fallback_for_unstorable_values():
    reg = TagRegistry(fallback=lambda obj: StonObject("Unstorable", [type(obj).__name__]))
    assert reg.dumps([1, lambda: 0]) == "[1,Unstorable['function']]"
    with pytest.raises(StonMappingError, match="no STON codec"):
        TagRegistry().dumps([object()])


def test_encode_leaves_neutral_values_alone():
    graph = loads("[{#a:[1,@1]},Foo{#x:1/3s2},#s:1]")
    reg = TagRegistry(unknown="keep")
    assert dumps(reg.encode(graph)) == dumps(graph)
    assert dumps(reg.decode(graph)) == dumps(graph)


def test_codec_definition_errors():
    with pytest.raises(ValueError):
        TagCodec("X")
    with pytest.raises(ValueError):
        TagCodec("X", create=lambda n: None)


def test_deep_graphs_map_without_recursion():
    reg = pharo_registry()
    for text in [
        "1:" * 3000 + "1",
        "[" * 3000 + "]" * 3000,
        "{#a:" * 3000 + "Point[1,2]" + "}" * 3000,
    ]:
        assert reg.dumps(reg.loads(text)) == text
