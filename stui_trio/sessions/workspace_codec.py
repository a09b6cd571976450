"""A session's live workspace (real Smalltalk objects) <-> STON, for the durable store.

The session document's ``#workspace`` seam (see ``codec.py``) is filled by
:class:`ToolsWorkspaceCodec`: it writes the bindings (name -> object) and the object registry
(object_ref -> object) of a session's tools as one STON graph, so an object held by two
bindings, by a binding and the registry, or by itself (a cycle) is written once and referenced
with ``@N`` after that::

    StuiWorkspace{#bindings:{'a':Foo{#x:1},'b':[@3,@3]},#registry:[['obj-1',@3]],#next:2}

How engine objects are written (``runtime/objects.py`` has the shapes):

====================================  ==================================================
engine                                STON
====================================  ==================================================
nil/true/false, int, float, Fraction  themselves (``1/3``); ScaledDecimal ``1/3s2``
String, Symbol, Character             ``'text'``, ``#sym``, ``Character['a']``
Array (literal ones too), ByteArray   ``[...]``, ``ByteArray['0102']``
OrderedCollection, Set                ``OrderedCollection[...]``, ``Set[...]``
Dictionary, Association, Point        ``{k:v}``, ``k:v``, ``Point[x,y]``
a class                               ``Class[#Foo]``
any other instance                    ``ClassName{#ivar:value,...}`` (user classes)
a block, a stream, anything else      ``StuiUnstored{#class:'...',#printString:'...'}``
====================================  ==================================================

A value that cannot be stored is a marker: restoring a binding whose value is a marker leaves
the binding out and lists it in ``not_restored`` (a marker nested inside a stored object comes
back as nil, and its binding is listed too). Reading builds empty objects first and fills them
afterwards, so cycles come back as cycles; sets and dictionaries are filled last, once the
objects hashed as their keys are complete. Both directions are iterative (deep graphs are fine).

Encoding reads slots only (it sends no Smalltalk messages), so it is safe on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs

from stui_trio.sessions.codec import WorkspaceText
from stui_trio.smalltalk.runtime import objects as st
from stui_trio.storage.ston import Association, ScaledDecimal, StonMap, StonObject, Symbol

TAG = "StuiWorkspace"
UNSTORED = "StuiUnstored"
_SCALARS = (bool, int, float, Fraction, type(None))
_SIMPLE_TAGS = ("OrderedCollection", "Set", "Dictionary", "Association", "Point")


@attrs.frozen
class RestoredWorkspace:
    """What :func:`decode_workspace` made of a stored ``#workspace`` value."""

    bindings: dict[str, Any]
    registry: list[tuple[str, Any]]
    registry_next: int
    not_restored: list[dict[str, str]]


class _Unstorable(Exception):
    pass


def _is_exact(image: Any, obj: st.STObject, name: str) -> bool:
    return obj.cls is image.globals.get(name)


def _marker(image: Any, obj: Any) -> StonObject:
    if isinstance(obj, st.Block):
        text = obj.source or "a BlockClosure"
    else:
        name = image.class_name_of(obj)
        text = f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"
    return StonObject(UNSTORED, StonMap([
        (Symbol("class"), image.class_name_of(obj)), (Symbol("printString"), text[:200]),
    ]))


def encode_graph(image: Any, roots: list[Any]) -> list[Any]:
    """STON model values for ``roots`` (engine objects), sharing one identity map."""
    memo: dict[int, Any] = {}
    keep: list[Any] = []  # keep encoded engine objects alive so ids stay unique
    todo: list[tuple[Any, Any]] = []

    def conv(obj: Any) -> Any:
        if isinstance(obj, _SCALARS):
            return obj
        if isinstance(obj, st.STString):
            return obj.s
        if isinstance(obj, st.Symbol):
            return Symbol(obj.s)
        if isinstance(obj, st.Character):
            return StonObject("Character", [chr(obj.code)])
        if isinstance(obj, st.ScaledDecimal):
            return ScaledDecimal(obj.f, obj.scale)
        if isinstance(obj, bytes | bytearray):
            return StonObject("ByteArray", [bytes(obj).hex()])
        found = memo.get(id(obj))
        if found is not None:
            return found
        shell = _shell(image, obj)
        memo[id(obj)] = shell
        keep.append(obj)
        todo.append((obj, shell))
        return shell

    out = [conv(root) for root in roots]
    while todo:
        obj, shell = todo.pop()
        _fill_model(image, obj, shell, conv)
    return out


def _shell(image: Any, obj: Any) -> Any:
    if type(obj) in (list, tuple):  # a tuple is a literal Array: it comes back as a list
        return [None] * len(obj)
    if isinstance(obj, st.STClass):
        meta = obj.meta_of is not None
        return StonObject("Metaclass" if meta else "Class", [Symbol((obj.meta_of or obj).name)])
    if type(obj) is st.STObject:
        for name in _SIMPLE_TAGS:
            if _is_exact(image, obj, name):
                if name == "Dictionary":
                    return StonMap()
                if name == "Association":
                    return StonObject("Association", [])
                return StonObject(name, [])
        if obj.cls.name in image.kernel_classes and obj.cls.name != "Object":
            return _marker(image, obj)  # kernel internals (streams...): not ours to spell out
        if all(_plain_slot(v) for v in obj.slots):
            return StonObject(obj.cls.name, StonMap())
    return _marker(image, obj)


def is_storable(image: Any, obj: Any) -> bool:
    """Would ``obj`` itself be stored (not a marker)? Its contents may still hold markers."""
    if isinstance(obj, (*_SCALARS, st.STString, st.Symbol, st.Character, st.ScaledDecimal,
                        bytes, bytearray)):
        return True
    shell = _shell(image, obj)
    return not (isinstance(shell, StonObject) and shell.tag == UNSTORED)


def _plain_slot(value: Any) -> bool:
    """A slot value the generic ``Class{#ivar:...}`` form can hold (no raw Python storage)."""
    return not isinstance(value, dict | set | tuple | bytes | bytearray)


def _fill_model(image: Any, obj: Any, shell: Any, conv: Callable[[Any], Any]) -> None:
    if type(shell) is list:
        shell[:] = [conv(v) for v in obj]
    elif isinstance(shell, StonMap):  # Dictionary
        for k, v in obj.slots[0].items():
            shell.append(conv(k), conv(v))
    elif isinstance(shell, StonObject):
        tag = shell.tag
        if tag in ("Class", "Metaclass", UNSTORED):
            return
        if tag == "OrderedCollection" or tag == "Set":
            shell.value[:] = [conv(v) for v in obj.slots[0]]
        elif tag in ("Point", "Association"):
            shell.value[:] = [conv(obj.slots[0]), conv(obj.slots[1])]
        else:
            for name, value in zip(obj.cls.all_ivars(), obj.slots, strict=False):
                shell.value.append(Symbol(name), conv(value))


def _decode_scalar(image: Any, node: Any) -> tuple[bool, Any]:
    if isinstance(node, _SCALARS):
        return True, node
    if type(node) is str:
        return True, st.STString(node)
    if isinstance(node, Symbol):
        return True, image.intern(node.name)
    if isinstance(node, ScaledDecimal):
        return True, st.ScaledDecimal(node.value, node.scale)
    if isinstance(node, StonObject) and node.tag == "Character" and node.is_list:
        text = node.value[0] if node.value else ""
        if type(text) is str and len(text) == 1:
            return True, st.Character(ord(text))
    if isinstance(node, StonObject) and node.tag == "ByteArray" and node.is_list:
        try:
            return True, bytearray(bytes.fromhex(node.value[0]))
        except (IndexError, TypeError, ValueError):
            return False, None
    return False, None


def decode_graph(image: Any, roots: list[Any]) -> list[tuple[Any, list[str]]]:
    """Engine objects for model ``roots`` (sharing and cycles kept across all of them), each
    with the problems met while building it: a marker, or an instance of a class the image no
    longer has, becomes nil and is listed."""
    memo: dict[int, Any] = {}
    todo: list[tuple[Any, Any]] = []
    late: list[tuple[Any, Any]] = []  # sets and dictionaries: filled when keys are complete
    problems: list[str] = []

    def conv(node: Any) -> Any:
        kind = type(node)
        if kind is int or kind is bool or node is None or kind is float:
            return node  # the commonest values first (the ABC check for Fraction is slow)
        if kind is str:
            return st.STString(node)
        simple, value = _decode_scalar(image, node)
        if simple:
            return value
        if isinstance(node, Association):
            return _object(image, "Association", [conv(node.key), conv(node.value)], problems)
        if id(node) in memo:
            return memo[id(node)]
        shell = _engine_shell(image, node, problems)
        memo[id(node)] = shell
        if shell is not None:
            (late if _is_hashed(image, shell) else todo).append((node, shell))
        return shell

    out = []
    for root in roots:
        problems = []
        value = conv(root)
        while todo or late:
            while todo:
                node, shell = todo.pop()
                _fill_engine(image, node, shell, conv)
            if late:
                node, shell = late.pop()
                _fill_engine(image, node, shell, conv)
        out.append((value, problems))
    return out


def _is_hashed(image: Any, shell: Any) -> bool:
    return type(shell) is st.STObject and (
        _is_exact(image, shell, "Set") or _is_exact(image, shell, "Dictionary")
    )


def _object(image: Any, name: str, slots: list[Any], problems: list[str]) -> Any:
    cls = image.globals.get(name)
    if not isinstance(cls, st.STClass):
        problems.append(f"class {name} is missing")
        return None
    return st.STObject(cls, slots)


def _engine_shell(image: Any, node: Any, problems: list[str]) -> Any:
    if type(node) is list:
        return [None] * len(node)
    if isinstance(node, StonMap):
        return _object(image, "Dictionary", [{}], problems)
    if not isinstance(node, StonObject):
        problems.append(f"unexpected stored value {type(node).__name__}")
        return None
    tag = node.tag
    if tag == UNSTORED:
        problems.append(f"{node.value.get(Symbol('printString'))} was not stored")
        return None
    if tag in ("Class", "Metaclass"):
        name = node.value[0].name if node.value and isinstance(node.value[0], Symbol) else ""
        cls = image.globals.get(name)
        if not isinstance(cls, st.STClass):
            problems.append(f"class {name} is missing")
            return None
        return cls.cls if tag == "Metaclass" else cls
    if tag == "OrderedCollection":
        return _object(image, tag, [[]], problems)
    if tag == "Set":
        return _object(image, tag, [{}], problems)
    if tag in ("Point", "Association"):
        return _object(image, tag, [None, None], problems)
    cls = image.globals.get(tag)
    if not isinstance(cls, st.STClass) or not node.is_map:
        problems.append(f"class {tag} is missing")
        return None
    return st.STObject(cls, [None] * len(cls.all_ivars()))


def _fill_engine(image: Any, node: Any, shell: Any, conv: Callable[[Any], Any]) -> None:
    if type(shell) is list:
        shell[:] = [conv(v) for v in node]
        return
    if isinstance(shell, st.STClass):
        return
    if isinstance(node, StonMap):
        shell.slots[0] = {conv(k): conv(v) for k, v in node.pairs}
        return
    tag = node.tag
    if tag == "OrderedCollection":
        shell.slots[0] = [conv(v) for v in node.value]
    elif tag == "Set":
        shell.slots[0] = {conv(v): True for v in node.value}
    elif tag in ("Point", "Association"):
        values = [*node.value, None, None]
        shell.slots[0], shell.slots[1] = conv(values[0]), conv(values[1])
    else:
        names = shell.cls.all_ivars()
        for key, value in node.value.pairs:
            name = key.name if isinstance(key, Symbol) else key
            if name in names:
                shell.slots[names.index(name)] = conv(value)


# -- the #workspace document --------------------------------------------------------------------


def encode_workspace(
    image: Any, bindings: dict[str, Any], registry: list[tuple[str, Any]], registry_next: int
) -> StonObject:
    """``StuiWorkspace{#bindings:{...},#registry:[[ref,obj]...],#next:n}`` of live objects."""
    names = list(bindings)
    values = encode_graph(image, [bindings[n] for n in names] + [obj for _, obj in registry])
    stored_bindings = StonMap(zip(names, values[: len(names)], strict=True))
    stored_registry = [
        [ref, value] for (ref, _), value in zip(registry, values[len(names):], strict=True)
    ]
    return StonObject(TAG, StonMap([
        (Symbol("bindings"), stored_bindings),
        (Symbol("registry"), stored_registry),
        (Symbol("next"), registry_next),
    ]))


def decode_workspace(image: Any, value: Any) -> RestoredWorkspace:
    """Live objects from what :func:`encode_workspace` wrote (see the module docstring), as
    a STON model value or as :class:`~stui_trio.sessions.codec.WorkspaceText`."""
    if isinstance(value, WorkspaceText):
        try:
            value = value.value()
        except ValueError:  # StonParseError: not what encode_workspace wrote
            value = None
    if not isinstance(value, StonObject) or value.tag != TAG or not value.is_map:
        return RestoredWorkspace({}, [], 1, [{"name": "*", "reason": "unreadable workspace"}])
    doc = value.value
    assert isinstance(doc, StonMap)
    stored = doc.get(Symbol("bindings"))
    pairs = stored.pairs if isinstance(stored, StonMap) else []
    entries = [e for e in doc.get(Symbol("registry")) or [] if _registry_entry(e)]
    decoded = decode_graph(image, [v for _, v in pairs] + [e[1] for e in entries])
    bindings: dict[str, Any] = {}
    not_restored: list[dict[str, str]] = []
    for (name, node), (obj, problems) in zip(pairs, decoded, strict=False):
        if not isinstance(name, str):
            continue
        if isinstance(node, StonObject) and node.tag == UNSTORED:
            shown = node.value.get(Symbol("printString"))
            not_restored.append({"name": name, "class": str(node.value.get(Symbol("class"))),
                                 "print_string": str(shown), "reason": "cannot be stored"})
            continue
        if obj is None and problems:
            not_restored.append({"name": name, "reason": "; ".join(problems)})
            continue
        bindings[name] = obj
        if problems:
            not_restored.append({"name": name, "reason": "partly restored: "
                                 + "; ".join(problems[:5])})
    registry = [
        (e[0], obj) for e, (obj, problems) in zip(entries, decoded[len(pairs):], strict=False)
        if not (obj is None and problems)
    ]
    next_number = doc.get(Symbol("next"))
    return RestoredWorkspace(
        bindings, registry, next_number if type(next_number) is int else 1, not_restored
    )


def _registry_entry(entry: Any) -> bool:
    return type(entry) is list and len(entry) == 2 and type(entry[0]) is str


class ToolsWorkspaceCodec:
    """The :class:`~stui_trio.sessions.codec.WorkspaceCodec` of the live tools.

    ``service`` is the tools layer's ``ToolsService``: :meth:`encode` writes the session's
    live tools, or - when the session has not been used since the server started - the value
    read from its file, untouched; :meth:`decode` parks what was read with the service, which
    rebuilds the objects when the session's tools are first used (lazily).
    """

    def __init__(self, service: Any) -> None:
        self.service = service

    def encode(self, session: Any) -> Any:
        tools = self.service.existing(session.session_id)
        if tools is None:
            return self.service.parked_workspace(session.session_id)
        if tools.saved_workspace is not None and not tools.unsaved:
            return tools.saved_workspace  # written by the last workspace save, still current
        bindings = dict(tools.workspace.bindings)
        return encode_workspace(
            self.service.image, bindings,
            tools.registry.recent(self.service.config.persisted_registry_entries),
            tools.registry.next_number,
        )

    def decode(self, value: Any, session: Any) -> None:
        self.service.park_workspace(session.session_id, value, dict(session.state))
