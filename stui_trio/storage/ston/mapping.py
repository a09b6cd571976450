"""The seam between STON's neutral values and a caller's domain objects: `TagRegistry`.

The reader yields `StonObject`s for tagged values; the session store wants engine objects
(and Pharo-ish Python values for Point, Date, ...). A registry holds one `TagCodec` per tag:

- reading, one of two ways. ``build(node, convert)`` makes the domain value in one step from
  converted children (immutable values: Point, Character, dates). ``create(node)`` allocates
  an empty domain object and ``fill(obj, node, convert)`` fills it later; every ``create`` runs
  before any ``fill``, so a cycle (an ivar pointing back at its owner) finds its target
  allocated. ``finish(obj)`` runs after everything is filled (Pharo's
  ``stonPostReferenceResolution``: rehash a set whose elements were filled late).
- writing: ``encode(obj)`` returns a `StonObject` whose children are still domain values; the
  registry converts them, remembering every object it has seen, so shared and cyclic domain
  graphs come out as ``@N`` references.

``convert(child)`` hands back the domain value of a child (the same object for the same node,
so sharing survives). Untagged lists and maps go through the codecs registered for ``Array``
and ``Dictionary`` when present, else they become fresh Python lists and StonMaps. A tag
with no codec is an error (``unknown="error"``, Pharo's default) or is kept as a StonObject
with converted children (``unknown="keep"``). Aliases let one codec answer to several tags
(``TestUser`` and ``STONTestUser``); it always writes its primary tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, Literal

import attrs

from stui_trio.storage.ston.errors import StonMappingError
from stui_trio.storage.ston.model import Association, ScaledDecimal, StonMap, StonObject, Symbol
from stui_trio.storage.ston.reader import loads
from stui_trio.storage.ston.writer import dumps

Convert = Callable[[Any], Any]
_NODES = (list, StonMap, StonObject)
_WALK = frozenset([list, StonMap, StonObject, Association])  # what the post-order walk enters
_PRIMITIVE_TYPES = frozenset([type(None), bool, int, float, str])
_MODEL_PRIMITIVES = frozenset([Symbol, Fraction, ScaledDecimal])


@attrs.frozen
class TagCodec:
    """How one tag turns into a domain object and back. See the module doc for the phases."""

    tag: str
    aliases: tuple[str, ...] = ()
    types: tuple[type, ...] = ()
    build: Callable[[StonObject, Convert], Any] | None = None
    create: Callable[[StonObject], Any] | None = None
    fill: Callable[[Any, StonObject, Convert], None] | None = None
    finish: Callable[[Any], None] | None = None
    encode: Callable[[Any], StonObject] | None = None

    def __attrs_post_init__(self) -> None:
        if (self.build is None) == (self.create is None):
            raise ValueError(f"codec {self.tag}: give exactly one of build or create")
        if self.create is not None and self.fill is None:
            raise ValueError(f"codec {self.tag}: create needs a fill")


def _keep_create(node: StonObject) -> StonObject:
    return StonObject(node.tag, [] if node.is_list else StonMap())


def _keep_fill(obj: StonObject, node: StonObject, convert: Convert) -> None:
    fill_plain(obj.value, node.value, convert)


def fill_plain(target: Any, source: Any, convert: Convert) -> None:
    """Append the converted items of list/StonMap `source` to `target` (same shape)."""
    if type(source) is list:
        target.extend(convert(each) for each in source)
    else:
        target.pairs.extend((convert(k), convert(v)) for k, v in source.pairs)


def _new_plain(node: Any) -> Any:
    return [] if type(node) is list else StonMap()


class TagRegistry:
    """Per-tag codecs plus the walks that apply them to whole graphs (see module doc)."""

    def __init__(
        self,
        codecs: Iterable[TagCodec] = (),
        *,
        unknown: Literal["error", "keep"] = "error",
        association: Callable[[Any, Any], Any] = Association,
        fallback: Callable[[Any], Any] | None = None,
    ) -> None:
        self.unknown = unknown
        self.association = association
        # fallback(obj) -> neutral value for domain objects no codec handles (e.g. a marker
        # with the print string of an unstorable block); None means such objects are errors.
        self.fallback = fallback
        self._by_tag: dict[str, TagCodec] = {}
        self._by_type: dict[type, TagCodec] = {}
        for codec in codecs:
            self.register(codec)

    def register(self, codec: TagCodec) -> None:
        for name in (codec.tag, *codec.aliases):
            self._by_tag[name] = codec
        for kind in codec.types:
            self._by_type[kind] = codec

    def codec_for_tag(self, tag: str) -> TagCodec | None:
        return self._by_tag.get(tag)

    def codec_for_value(self, obj: Any) -> TagCodec | None:
        for kind in type(obj).__mro__:
            codec = self._by_type.get(kind)
            if codec is not None:
                return codec
        return None

    # ---- reading: neutral graph -> domain graph
    def decode(self, value: Any) -> Any:
        """The domain value of a neutral graph (as `loads` returns it)."""
        order = _post_order(value)
        out: dict[int, Any] = {}
        codecs: list[TagCodec | None] = []
        for node in order:
            codec = self._codec_for_node(node)
            codecs.append(codec)
            if codec is None:
                out[id(node)] = _new_plain(node)
            elif codec.create is not None:
                out[id(node)] = _guarded(node, codec.create, node)

        def convert(child: Any) -> Any:
            kind = type(child)
            if kind in _PRIMITIVE_TYPES:
                return child
            if kind in _NODES:
                try:
                    return out[id(child)]
                except KeyError:
                    raise StonMappingError(
                        f"a cycle runs through {_describe(child)}, whose codec builds it in one"
                        " step; give that tag a create/fill codec"
                    ) from None
            if kind is Association:
                return _convert_chain(child, convert, self.association)
            return child

        for node, codec in zip(order, codecs, strict=True):
            if codec is None:
                fill_plain(out[id(node)], node, convert)
            elif codec.build is not None:
                out[id(node)] = _guarded(node, codec.build, node, convert)
            else:
                assert codec.fill is not None
                _guarded(node, codec.fill, out[id(node)], node, convert)
        for node, codec in zip(order, codecs, strict=True):
            if codec is not None and codec.finish is not None:
                _guarded(node, codec.finish, out[id(node)])
        return convert(value)

    def _codec_for_node(self, node: Any) -> TagCodec | None:
        if type(node) is list:
            return self._by_tag.get("Array")
        if type(node) is StonMap:
            return self._by_tag.get("Dictionary")
        codec = self._by_tag.get(node.tag)
        if codec is not None:
            return codec
        if self.unknown == "keep":
            return _KEEP
        raise StonMappingError(f"unknown class tag {node.tag!r}")

    # ---- writing: domain graph -> neutral graph
    def encode(self, value: Any) -> Any:
        """The neutral graph (ready for `dumps`) of a domain graph."""
        memo: dict[int, Any] = {}
        keep: list[Any] = []  # domain temporaries stay alive so their ids stay unique
        todo: list[tuple[Any, Any]] = []  # (fresh neutral container, domain children)

        def convert(obj: Any) -> Any:
            kind = type(obj)
            if kind in _PRIMITIVE_TYPES:
                return obj
            if kind is Association:
                return _convert_chain(obj, convert, Association)
            done = memo.get(id(obj))
            if done is not None:
                return done
            if kind is list or kind is tuple:
                node: Any = []
                memo[id(obj)] = node
                todo.append((node, obj))
                return node
            if kind is StonMap or kind is dict:
                node = StonMap()
                memo[id(obj)] = node
                todo.append((node, obj.pairs if kind is StonMap else list(obj.items())))
                return node
            if kind is StonObject:
                node = StonObject(obj.tag, [] if obj.is_list else StonMap())
                memo[id(obj)] = node
                todo.append((node.value, obj.value if obj.is_list else obj.value.pairs))
                return node
            codec = self.codec_for_value(obj)
            if codec is None or codec.encode is None:
                if self.fallback is not None:
                    return self.fallback(obj)
                if kind in _MODEL_PRIMITIVES:
                    return obj
                raise StonMappingError(f"no STON codec for {kind.__name__}")
            shape = codec.encode(obj)
            keep.append(obj)
            node = StonObject(shape.tag, [] if shape.is_list else StonMap())
            memo[id(obj)] = node
            todo.append((node.value, shape.value if shape.is_list else shape.value.pairs))
            return node

        top = convert(value)
        while todo:
            node, children = todo.pop()
            if type(node) is list:
                node.extend(convert(each) for each in children)
            else:
                node.pairs.extend((convert(k), convert(v)) for k, v in children)
        return top

    # ---- conveniences
    def loads(self, text: str) -> Any:
        return self.decode(loads(text))

    def dumps(self, value: Any, *, pretty: bool = False, ascii_only: bool = False) -> str:
        return dumps(self.encode(value), pretty=pretty, ascii_only=ascii_only)


_KEEP = TagCodec("*unknown*", create=_keep_create, fill=_keep_fill)


def _convert_chain(assoc: Association, convert: Convert, make: Callable[[Any, Any], Any]) -> Any:
    """Convert ``a:b:c:...`` without recursion: associations nest to the right, maybe deeply."""
    chain = []
    value: Any = assoc
    while type(value) is Association:
        chain.append(value)
        value = value.value
    result = convert(value)
    for link in reversed(chain):
        result = make(convert(link.key), result)
    return result


def _guarded(node: Any, step: Callable[..., Any], *args: Any) -> Any:
    """Run a codec step; its ordinary failures become StonMappingError naming the node."""
    try:
        return step(*args)
    except StonMappingError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise StonMappingError(f"cannot decode {_describe(node)}: {exc}") from exc


def _describe(node: Any) -> str:
    if type(node) is StonObject:
        return f"{node.tag}{'[...]' if node.is_list else '{...}'}"
    return "a list" if type(node) is list else "a map"


def _post_order(root: Any) -> list[Any]:
    """Every list, StonMap and StonObject reachable from `root`, children before parents."""
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        item, expanded = stack.pop()
        if expanded:
            order.append(item)
            continue
        kind = type(item)
        if kind is Association:
            stack.append((item.value, False))
            stack.append((item.key, False))
            continue
        if kind not in _NODES or id(item) in seen:
            continue
        seen.add(id(item))
        stack.append((item, True))
        body = item.value if kind is StonObject else item
        if type(body) is list:
            stack.extend((child, False) for child in reversed(body) if type(child) in _WALK)
        else:
            for k, v in reversed(body.pairs):
                if type(v) in _WALK:
                    stack.append((v, False))
                if type(k) in _WALK:
                    stack.append((k, False))
    return order
