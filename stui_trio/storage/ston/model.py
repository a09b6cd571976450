"""The neutral value model: what a STON text can say, as plain Python values.

The reader produces these and the writer consumes them; nothing here knows about the Smalltalk
engine. The session store turns them into engine objects through `mapping.TagRegistry`.

====================  ===========================================================
STON                  Python
====================  ===========================================================
``nil`` ``true``      ``None`` ``True`` ``False``
``42`` ``1.5``        ``int`` ``float`` (``Float[#nan]`` etc. are float nan/inf)
``1/3``               ``fractions.Fraction`` (``4/2`` reads as the int 2)
``1/3s2``             `ScaledDecimal` (exact Fraction + display scale)
``'text'``            ``str``
``#foo``              `Symbol` (never equal to a str)
``[...]``             ``list`` (Smalltalk Array)
``{...}``             `StonMap` (Smalltalk Dictionary; ordered pairs, any keys)
``k : v``             `Association`
``Tag[...]``          `StonObject` whose ``value`` is a list
``Tag{...}``          `StonObject` whose ``value`` is a StonMap (ivar Symbol -> value)
``@N``                Python object identity (same list object twice, cycles)
====================  ===========================================================

Identity is the model's notion of sharing: lists, StonMaps and StonObjects are compared by
identity (``is``) and the writer emits ``@N`` for the second visit of the same object.
Structural comparison of whole graphs lives in `graphs.py`.

Why `StonMap` and not ``dict``: Python dicts cannot hold list keys, and ``{true:1, 1:2}``
would collapse because ``True == 1`` in Python. A StonMap keeps the pairs in text order; its
lookup uses `key_of`, which keeps booleans, numbers, strings and symbols apart the way
Smalltalk's ``=`` does. The lookup index is built lazily on first use, after the reader has
resolved every reference, so keys that were references need no rehash step.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any

import attrs


class Symbol:
    """A Smalltalk symbol: an interned name, distinct from a string with the same characters.

    Immutable and compared by name. Hand-written rather than attrs because the reader makes
    one per distinct name in every file and attrs' frozen __init__ costs several times more.
    """

    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        if type(name) is not str:
            raise TypeError(f"a Symbol name must be a str, not {name!r}")
        object.__setattr__(self, "name", name)

    def __setattr__(self, attr: str, value: Any) -> None:
        raise AttributeError("Symbol is immutable")

    def __eq__(self, other: object) -> bool:
        return type(other) is Symbol and other.name == self.name

    def __hash__(self) -> int:
        return hash(("Symbol", self.name))

    def __repr__(self) -> str:
        return f"Symbol({self.name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Symbol, (self.name,))


def _as_fraction(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TypeError(f"ScaledDecimal value must be an int or Fraction, not {value!r}")
    return Fraction(value)


def _check_scale(_inst: Any, _attr: Any, scale: Any) -> None:
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 0:
        raise ValueError(f"ScaledDecimal scale must be an int >= 0, not {scale!r}")


@attrs.frozen
class ScaledDecimal:
    """Pharo's ScaledDecimal: an exact rational shown with `scale` decimals (``1/3s2``)."""

    value: Fraction = attrs.field(converter=_as_fraction)
    scale: int = attrs.field(validator=_check_scale)


@attrs.frozen
class Association:
    """``key : value``. Not numbered by references; nests to the right (``a:b:c`` = a->(b->c))."""

    key: Any
    value: Any


class StonObject:
    """A tagged object ``Tag[...]`` (value is a list) or ``Tag{...}`` (value is a StonMap).

    Compared by identity, like the lists and maps of the model. For ``Tag{...}`` written by
    Pharo's default encoding the map's keys are instance-variable name Symbols. The tag and
    the container are fixed at creation (the container's contents are filled in place, which
    is how the reader and the mapping build cycles). A plain slotted class: the reader makes
    one per tagged value, so construction cost matters.
    """

    __slots__ = ("tag", "value")
    tag: str
    value: list[Any] | StonMap

    def __init__(self, tag: str, value: list[Any] | StonMap) -> None:
        self.tag = tag
        self.value = value

    @property
    def is_list(self) -> bool:
        return type(self.value) is list

    @property
    def is_map(self) -> bool:
        return type(self.value) is StonMap

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        return f"StonObject({self.tag!r}, {self.value!r})"


_NUMBER = "n"


def key_of(value: Any, _depth: int = 0) -> Any:
    """A hashable stand-in for `value` that follows Smalltalk ``=`` as far as STON can tell.

    Numbers of equal value meet (``1 = 1.0``), booleans, strings and symbols stay apart, an
    Array key compares by its elements, maps and tagged objects compare by identity. Keys
    nested deeper than 64 levels compare by identity there (no recursion limit to hit).
    """
    kind = type(value)
    if kind is str:
        return ("s", value)
    if value is None or kind is bool:
        return ("c", value)
    if kind is int or kind is float or kind is Fraction:
        return (_NUMBER, value)
    if kind is Symbol:
        return ("y", value.name)
    if kind is ScaledDecimal:
        return (_NUMBER, value.value)
    if kind is list and _depth < 64:
        return ("a", tuple(key_of(each, _depth + 1) for each in value))
    if kind is Association and _depth < 64:
        return ("k", key_of(value.key, _depth + 1), key_of(value.value, _depth + 1))
    return ("i", id(value))


class StonMap:
    """An untagged STON map: pairs in text order plus a lookup that follows `key_of`.

    Duplicate keys may occur in a text; lookup answers the later one (as Pharo's Dictionary
    would hold it) while `items()` shows every pair as read.
    """

    __slots__ = ("_index", "pairs")

    def __init__(self, pairs: Iterable[tuple[Any, Any]] = ()) -> None:
        self.pairs: list[tuple[Any, Any]] = list(pairs)
        self._index: dict[Any, int] | None = None

    @classmethod
    def from_dict(cls, mapping: dict[Any, Any]) -> StonMap:
        return cls(mapping.items())

    def _lookup(self) -> dict[Any, int]:
        if self._index is None:
            self._index = {key_of(k): i for i, (k, _) in enumerate(self.pairs)}
        return self._index

    def rehash(self) -> None:
        """Forget the lookup index (call after mutating an object used as a key)."""
        self._index = None

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[Any]:
        return (k for k, _ in self.pairs)

    def __contains__(self, key: Any) -> bool:
        return key_of(key) in self._lookup()

    def __getitem__(self, key: Any) -> Any:
        return self.pairs[self._lookup()[key_of(key)]][1]

    def get(self, key: Any, default: Any = None) -> Any:
        i = self._lookup().get(key_of(key))
        return default if i is None else self.pairs[i][1]

    def __setitem__(self, key: Any, value: Any) -> None:
        index = self._lookup()
        k = key_of(key)
        if k in index:
            self.pairs[index[k]] = (key, value)
        else:
            index[k] = len(self.pairs)
            self.pairs.append((key, value))

    def append(self, key: Any, value: Any) -> None:
        """Add a pair at the end even if the key is already present (as a text may)."""
        self.pairs.append((key, value))
        self._index = None

    def keys(self) -> list[Any]:
        return [k for k, _ in self.pairs]

    def values(self) -> list[Any]:
        return [v for _, v in self.pairs]

    def items(self) -> list[tuple[Any, Any]]:
        return list(self.pairs)

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {v!r}" for k, v in self.pairs[:8])
        more = ", ..." if len(self.pairs) > 8 else ""
        return f"StonMap({{{inner}{more}}})"
