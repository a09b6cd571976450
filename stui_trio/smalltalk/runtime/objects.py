"""How Smalltalk objects are represented in Python: the runtime's object model.

Speed and memory decide the shapes. The common immutable values are plain Python values, so
arithmetic and comparisons need no unwrapping:

    SmallInteger / LargePositiveInteger / LargeNegativeInteger   int (class chosen by range)
    Float                                                         float
    Fraction                                                      fractions.Fraction
                                                                  (RawFraction if not reduced)
    true / false / nil                                            True / False / None
    Array                                                         list (fixed size by protocol)
    ByteArray                                                     bytearray

Everything else is one of the small classes below, all with `__slots__`:

- `STObject`: an instance of a user or kernel class: `cls` (its class) and `slots` (instance
  variable values, by index). `STIndexed` adds `items` for variable (indexable) classes.
- `STClass`: a class or metaclass. It is itself an STObject (its `cls` is its metaclass and its
  `slots` hold class-side instance variables), plus the method dictionary (`methods`: selector ->
  CompiledMethod) and `mc`, the lookup cache (selector -> Python function) that every send reads.
- `STString` (mutable, `ro` for literals), `Symbol` (interned per image), `Character`,
  `ScaledDecimal`, `Block` (a BlockClosure: a Python closure plus its arity).

`Image.class_of` maps any of these to its Smalltalk class; nothing here knows about the image,
so several images can live in one process (tests do).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

SMALL_MIN = -(2**60)
SMALL_MAX = 2**60 - 1


class STObject:
    __slots__ = ("cls", "slots")

    def __init__(self, cls: Any, slots: list) -> None:
        self.cls = cls
        self.slots = slots

    # Python containers (Dictionary, Set) hash keys with Smalltalk's #hash and #=.
    def __hash__(self) -> int:
        return self.cls.image.st_hash(self)

    def __eq__(self, other: object) -> bool:
        return self.cls.image.st_equal(self, other)


class STIndexed(STObject):
    """An instance of a variable class: named slots plus indexed `items`."""

    __slots__ = ("items",)

    def __init__(self, cls: Any, slots: list, items: list) -> None:
        self.cls = cls
        self.slots = slots
        self.items = items


class STClass(STObject):
    """A class or metaclass. `meta_of` is set on metaclasses (the class they describe)."""

    __slots__ = (
        "__weakref__",
        "category",
        "classvars",
        "comment",
        "image",
        "ivars",
        "kind",
        "mc",
        "meta_of",
        "methods",
        "name",
        "package",
        "subclasses",
        "superclass",
    )

    def __init__(self, image: Any, name: str, superclass: STClass | None, ivars: list[str],
                 kind: str = "pointers", meta_of: STClass | None = None) -> None:
        self.cls = None
        self.slots = []
        self.image = image
        self.name = name
        self.superclass = superclass
        self.methods: dict[str, Any] = {}
        self.mc: dict[str, Any] = {}
        self.ivars = ivars
        self.classvars: dict[str, Any] = {}
        self.package = ""
        self.category = ""
        self.comment = ""
        self.subclasses: list[STClass] = []
        self.kind = kind
        self.meta_of = meta_of

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def all_ivars(self) -> list[str]:
        chain = []
        c: STClass | None = self
        while c is not None:
            chain.append(c)
            c = c.superclass
        out: list[str] = []
        for c in reversed(chain):
            out.extend(c.ivars)
        return out

    def inherits_from(self, other: STClass) -> bool:
        c: STClass | None = self
        while c is not None:
            if c is other:
                return True
            c = c.superclass
        return False

    def display_name(self) -> str:
        return f"{self.meta_of.name} class" if self.meta_of is not None else self.name

    def __repr__(self) -> str:
        return f"<STClass {self.display_name()}>"


class STString:
    """A mutable String; `ro` marks literal strings, which refuse modification like Pharo's."""

    __slots__ = ("ro", "s")

    def __init__(self, s: str, ro: bool = False) -> None:
        self.s = s
        self.ro = ro

    def __hash__(self) -> int:
        return hash(self.s)

    def __eq__(self, other: object) -> bool:
        # a String equals a Symbol with the same characters (Pharo's String>>= / Symbol>>=)
        return (type(other) is STString or type(other) is Symbol) and other.s == self.s

    def __repr__(self) -> str:
        return f"STString({self.s!r})"


class Symbol:
    """A Symbol: unique per image (compare with `is`); created only by the image's table.

    Two Symbols are equal only when identical, but a Symbol equals a String with the same
    characters and hashes like it (Pharo's Symbol>>= and String>>hash), so `Set`s and
    `Dictionary`s (Python dicts of these objects) treat `#abc` and `'abc'` as one key, as
    Pharo's do.
    """

    __slots__ = ("__weakref__", "h", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self.h = hash(s)

    def __hash__(self) -> int:
        return self.h

    def __eq__(self, other: object) -> bool:
        return other is self or (type(other) is STString and other.s == self.s)

    def __repr__(self) -> str:
        return f"#{self.s}"


class Character:
    """A Character; equal code points compare equal (and `==`, as Pharo's immediates)."""

    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code

    def __hash__(self) -> int:
        return hash(("c", self.code))

    def __eq__(self, other: object) -> bool:
        return type(other) is Character and other.code == self.code

    def __repr__(self) -> str:
        return f"${chr(self.code)}"


class RawFraction(Fraction):
    """A Fraction made by `Fraction numerator:denominator:` with terms not in lowest form.

    Pharo keeps such a fraction as given (`Fraction numerator: 2 denominator: 4` prints
    `(2/4)`). Its value is the reduced fraction's: the inherited state is reduced, so
    arithmetic, comparison and hashing behave as for `1/2` and answer ordinary Fractions; only
    `numerator`, `denominator` and printing see the terms as given.
    """

    __slots__ = ("given_denominator", "given_numerator")

    given_numerator: int
    given_denominator: int

    def __new__(cls, numerator: int, denominator: int) -> RawFraction:
        self = super().__new__(cls, numerator, denominator)
        self.given_numerator = numerator
        self.given_denominator = denominator
        return self

    def __copy__(self) -> RawFraction:
        return self

    def __deepcopy__(self, memo: Any) -> RawFraction:
        return self


class ScaledDecimal:
    """`1.5s2`: an exact fraction shown with a fixed number of decimals."""

    __slots__ = ("f", "scale")

    def __init__(self, f: Fraction, scale: int) -> None:
        self.f = Fraction(f)
        self.scale = scale

    def __hash__(self) -> int:
        return hash(self.f)

    def __eq__(self, other: object) -> bool:
        if type(other) is ScaledDecimal:
            return self.f == other.f
        return isinstance(other, (int, Fraction)) and type(other) is not bool and self.f == other


class Block:
    """A BlockClosure: the compiled Python closure, its arity, and its source text."""

    __slots__ = ("fn", "home", "nargs", "source")

    def __init__(self, fn: Any, nargs: int, source: str = "", home: Any = None) -> None:
        self.fn = fn
        self.nargs = nargs
        self.source = source
        self.home = home

    def __repr__(self) -> str:
        return f"<Block/{self.nargs}>"


class CompiledMethod:
    """A method as the image keeps it: the function the sends call, plus what browsers show."""

    __slots__ = ("arg_names", "category", "fn", "owner", "primitive", "selector", "source")

    def __init__(self, selector: str, fn: Any, source: str, category: str, owner: STClass,
                 primitive: str | None, arg_names: tuple[str, ...]) -> None:
        self.selector = selector
        self.fn = fn
        self.source = source
        self.category = category
        self.owner = owner
        self.primitive = primitive
        self.arg_names = arg_names
