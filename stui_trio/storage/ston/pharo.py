"""Defaults for Pharo's special class tags (note section 5), at the neutral level.

`pharo_registry()` answers a `TagRegistry` that reads and writes:

==========================  ==============================================================
``Point[x,y]``              `Point` (frozen; x and y any value)
``Character['a']``          `Character`
``ByteArray['0102']``       ``bytes`` (written lowercase hex; ``bytearray`` writes too)
``UUID['bb71...']``         ``uuid.UUID``
``Class[#X]``               `ClassRef` ``(name, meta=False)``; ``Metaclass[#X]`` meta=True
``Date['2012-01-01Z']``     `Date` (y, m, d, offset or None when the text had none)
``Time['06:30:15.5']``      `Time` (h, m, s, nanosecond)
``DateAndTime[...]``        `DateAndTime` (date and time fields, nanosecond, offset)
collections                 kept as `StonObject`, shape checked: list for OrderedCollection,
                            Set, IdentitySet; map for Bag/IdentityBag (element -> count),
                            IdentityDictionary, SmallDictionary, OrderedDictionary, and the
                            ivar map of Interval (#start #stop #step)
==========================  ==============================================================

These are plain values; the session store registers its own codecs (engine Points,
engine collections...) over them with `TagRegistry.register`. ``Float[#nan]`` needs no codec:
the reader already answers Python floats.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import attrs

from stui_trio.storage.ston.mapping import Convert, TagCodec, TagRegistry, fill_plain
from stui_trio.storage.ston.model import StonMap, StonObject, Symbol


@attrs.frozen
class Point:
    x: Any
    y: Any


@attrs.frozen
class Character:
    value: str = attrs.field()

    @value.validator
    def _one(self, _attr: Any, value: str) -> None:
        if not isinstance(value, str) or len(value) != 1:
            raise ValueError(f"a Character holds exactly one character, not {value!r}")


@attrs.frozen
class ClassRef:
    name: str
    meta: bool = False


def _offset_text(offset: datetime.timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    h, rest = divmod(abs(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s}" if s else "")


def _nanos_text(nanosecond: int) -> str:
    if not nanosecond:
        return ""
    return "." + f"{nanosecond:09d}".rstrip("0")


def _parse_offset(text: str | None) -> datetime.timedelta | None:
    if text is None:
        return None
    if text == "Z":
        return datetime.timedelta(0)
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    parts += [0] * (3 - len(parts))
    return sign * datetime.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _nanos(frac: str | None) -> int:
    return int(frac.ljust(9, "0")) if frac else 0


_OFFSET = r"(Z|[+-]\d{2}:\d{2}(?::\d{1,2})?)"
_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})" + _OFFSET + "?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?")
_DATE_AND_TIME = re.compile(
    r"(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?" + _OFFSET + "?"
)


@attrs.frozen
class Date:
    """Pharo's Date: a day, with the time-zone offset Pharo keeps (None: "local", read only)."""

    year: int
    month: int
    day: int
    offset: datetime.timedelta | None = datetime.timedelta(0)

    def to_date(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.day)

    @classmethod
    def parse(cls, text: str) -> Date:
        m = _DATE.fullmatch(text)
        if m is None:
            raise ValueError(f"not a STON Date: {text!r}")
        cls_date = cls(int(m[1]), int(m[2]), int(m[3]), _parse_offset(m[4]))
        datetime.date(max(cls_date.year, 1), cls_date.month, cls_date.day)  # validates
        return cls_date

    def text(self) -> str:
        year = f"-{-self.year:04d}" if self.year < 0 else f"{self.year:04d}"
        base = f"{year}-{self.month:02d}-{self.day:02d}"
        if self.offset is None or not self.offset:
            return base + "Z"
        return base + _offset_text(self.offset)


@attrs.frozen
class Time:
    hour: int
    minute: int
    second: int = 0
    nanosecond: int = 0

    @classmethod
    def parse(cls, text: str) -> Time:
        m = _TIME.fullmatch(text)
        if m is None:
            raise ValueError(f"not a STON Time: {text!r}")
        value = cls(int(m[1]), int(m[2]), int(m[3] or 0), _nanos(m[4]))
        datetime.time(value.hour, value.minute, value.second)  # validates
        return value

    def text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}{_nanos_text(self.nanosecond)}"


@attrs.frozen
class DateAndTime:
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanosecond: int = 0
    offset: datetime.timedelta = datetime.timedelta(0)

    @classmethod
    def parse(cls, text: str) -> DateAndTime:
        m = _DATE_AND_TIME.fullmatch(text)
        if m is None:
            raise ValueError(f"not a STON DateAndTime: {text!r}")
        fields = [int(m[i]) for i in range(1, 7)]
        value = cls(*fields, _nanos(m[7]), _parse_offset(m[8]) or datetime.timedelta(0))
        datetime.datetime(max(fields[0], 1), *fields[1:])  # validates
        return value

    @classmethod
    def from_datetime(cls, dt: datetime.datetime) -> DateAndTime:
        offset = dt.utcoffset() or datetime.timedelta(0)
        return cls(
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond * 1000, offset
        )

    def to_datetime(self) -> datetime.datetime:
        """As an aware datetime (sub-microsecond digits are dropped)."""
        return datetime.datetime(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanosecond // 1000,
            datetime.timezone(self.offset),
        )

    def text(self) -> str:
        year = f"-{-self.year:04d}" if self.year < 0 else f"{self.year:04d}"
        return (
            f"{year}-{self.month:02d}-{self.day:02d}T{self.hour:02d}:{self.minute:02d}:"
            f"{self.second:02d}{_nanos_text(self.nanosecond)}{_offset_text(self.offset)}"
        )


def _singleton(node: StonObject, convert: Convert, kinds: type | tuple[type, ...]) -> Any:
    if not node.is_list or len(node.value) != 1:
        raise ValueError(f"{node.tag} needs a one-element list")
    value = convert(node.value[0])
    if not isinstance(value, kinds):
        raise ValueError(f"{node.tag} needs a {kinds}, not {type(value).__name__}")
    return value


def _point(node: StonObject, convert: Convert) -> Point:
    if not node.is_list or len(node.value) != 2:
        raise ValueError("Point needs a two-element list [x, y]")
    return Point(convert(node.value[0]), convert(node.value[1]))


def _class_ref(meta: bool) -> Any:
    def build(node: StonObject, convert: Convert) -> ClassRef:
        return ClassRef(_singleton(node, convert, Symbol).name, meta)

    return build


def _text_value(cls: Any) -> Any:
    def build(node: StonObject, convert: Convert) -> Any:
        return cls.parse(_singleton(node, convert, str))

    return build


def _checked_collection(tag: str, shape: str) -> TagCodec:
    def create(node: StonObject) -> StonObject:
        if node.is_list != (shape == "list"):
            raise ValueError(f"{tag} needs a {shape} representation")
        return StonObject(node.tag, [] if node.is_list else StonMap())

    def fill(obj: StonObject, node: StonObject, convert: Convert) -> None:
        fill_plain(obj.value, node.value, convert)
        if tag in ("Bag", "IdentityBag"):
            for _, count in obj.value.pairs:
                if type(count) is not int or count < 1:
                    raise ValueError(f"{tag} counts must be positive integers, not {count!r}")

    return TagCodec(tag, create=create, fill=fill)


def pharo_codecs() -> list[TagCodec]:
    def single(tag: str, text: str) -> StonObject:
        return StonObject(tag, [text])

    codecs = [
        TagCodec(
            "Point", types=(Point,), build=_point, encode=lambda p: StonObject("Point", [p.x, p.y])
        ),
        TagCodec(
            "Character",
            types=(Character,),
            build=lambda n, c: Character(_singleton(n, c, str)),
            encode=lambda ch: single("Character", ch.value),
        ),
        TagCodec(
            "ByteArray",
            types=(bytes, bytearray),
            build=lambda n, c: bytes.fromhex(_singleton(n, c, str)),
            encode=lambda b: single("ByteArray", bytes(b).hex()),
        ),
        TagCodec(
            "UUID",
            types=(uuid.UUID,),
            build=lambda n, c: uuid.UUID(hex=_singleton(n, c, str)),
            encode=lambda u: single("UUID", u.hex),
        ),
        # ClassRef writes Class[#X] or Metaclass[#X] depending on `meta`.
        TagCodec(
            "Class",
            types=(ClassRef,),
            build=_class_ref(False),
            encode=lambda r: StonObject("Metaclass" if r.meta else "Class", [Symbol(r.name)]),
        ),
        TagCodec("Metaclass", build=_class_ref(True)),
        TagCodec(
            "Date",
            types=(Date,),
            build=_text_value(Date),
            encode=lambda d: single("Date", d.text()),
        ),
        TagCodec(
            "Time",
            types=(Time,),
            build=_text_value(Time),
            encode=lambda t: single("Time", t.text()),
        ),
        TagCodec(
            "DateAndTime",
            types=(DateAndTime,),
            build=_text_value(DateAndTime),
            encode=lambda t: single("DateAndTime", t.text()),
        ),
    ]
    for tag in ("OrderedCollection", "Set", "IdentitySet"):
        codecs.append(_checked_collection(tag, "list"))
    for tag in (
        "Bag",
        "IdentityBag",
        "IdentityDictionary",
        "SmallDictionary",
        "OrderedDictionary",
        "Interval",
    ):
        codecs.append(_checked_collection(tag, "map"))
    return codecs


def pharo_registry(**options: Any) -> TagRegistry:
    """A registry with the Pharo defaults above; `options` go to `TagRegistry`."""
    return TagRegistry(pharo_codecs(), **options)
