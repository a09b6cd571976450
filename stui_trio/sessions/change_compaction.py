"""Which entries of the image change log are still needed: the plan for compacting it.

The change log (``image_log.py``, ``storage/image_changes.py``) records every class definition,
method compilation, removal and class comment, and only grows. Most of a long-lived log is
superseded: a method compiled 50 times needs only its last source, a class defined and then
redefined only its last definition, and a removal cancels the compilations before it (and
itself: replaying nothing leaves the method absent just the same). :func:`plan_compaction`
works out the entries that rebuild the same image, in an order that replays:

1. the last definition of every class, superclass before subclass (ties in the order the
   classes first appeared), so a class whose superclass changed finds its new one defined;
2. the last class-side instance variable declaration of each class (``Foo class
   instanceVariableNames: '...'``; a plain redefinition keeps class-side variables, so the
   last declaration holds whatever came after it);
3. the last comment of each class;
4. the last compilation of every method not removed after it, in the order of those
   compilations.

Methods are compiled against their class's final shape, after every class exists. The only
difference from replaying the whole log: a method that failed to recompile when its class was
reshaped kept its stale code there, while here it compiles against the final shape (or is
skipped and reported at replay, as any entry that cannot be applied).

The plan is pure (decoded changes in, payloads out); it refuses - ``refused`` says why - when
the log holds anything it does not understand (an undecodable entry, an unknown kind, a
definition in an unknown form, a cycle of superclasses), so a compaction never drops what a
newer version wrote. ``image_log.py`` writes the plan with ``ChangeLog.compact``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

#: ``Sup subclass: #Name ...`` / ``variableSubclass:`` - what ``definition_string`` writes.
_DEFINITION = re.compile(r"\s*(\w+)\s+(?:\w*[sS]ubclass:)\s*#(\w+)")
#: ``Name class instanceVariableNames: '...'`` - the class-side variables declaration.
_CLASS_SIDE = re.compile(r"\s*(\w+)\s+class\s+instanceVariableNames:")
KINDS = ("define_class", "compile_method", "remove_method", "class_comment")


@attrs.frozen
class LoggedChange:
    """One log entry: its sequence number, raw payload and decoded fields (None: undecodable).

    ``fields`` has the keys of ``image_log.decode_change``: kind, class_name, selector, source,
    category, meta."""

    seq: int
    payload: bytes
    fields: Mapping[str, Any] | None


@attrs.frozen
class CompactionPlan:
    """The payloads to keep (in replay order), and how many of the ``total`` are dropped."""

    keep: tuple[bytes, ...]
    total: int
    refused: str = ""

    @property
    def superseded(self) -> int:
        return 0 if self.refused else self.total - len(self.keep)


def _refuse(total: int, why: str) -> CompactionPlan:
    return CompactionPlan((), total, why)


def plan_compaction(changes: Sequence[LoggedChange]) -> CompactionPlan:
    """The live entries of ``changes`` (oldest first) in an order that replays (see above)."""
    total = len(changes)
    definitions: dict[str, int] = {}  # class -> index of its last definition
    superclass: dict[str, str] = {}  # class -> superclass name in that definition
    first_seen: dict[str, int] = {}  # class -> index of its first definition
    class_side: dict[str, int] = {}
    comments: dict[str, int] = {}
    methods: dict[tuple[str, bool, str], tuple[int, str]] = {}  # last compile or removal
    for index, change in enumerate(changes):
        fields = change.fields
        if fields is None:
            return _refuse(total, f"entry {change.seq} is not an ImageChange this version reads")
        kind, name = fields["kind"], fields["class_name"]
        if kind not in KINDS:
            return _refuse(total, f"entry {change.seq} has an unknown kind {kind!r}")
        if kind == "define_class":
            side = _CLASS_SIDE.match(fields["source"])
            main = _DEFINITION.match(fields["source"])
            if side is not None and side.group(1) == name:
                class_side[name] = index
            elif main is not None and main.group(2) == name:
                definitions[name] = index
                superclass[name] = main.group(1)
                first_seen.setdefault(name, index)
            else:
                return _refuse(total, f"entry {change.seq} defines {name} in an unknown form")
        elif kind == "class_comment":
            comments[name] = index
        else:
            methods[(name, bool(fields["meta"]), fields["selector"])] = (index, kind)

    order = _superclasses_first(sorted(first_seen, key=first_seen.__getitem__), superclass)
    if order is None:
        return _refuse(total, "the class definitions form a cycle of superclasses")
    keep = [definitions[name] for name in order]
    keep += sorted(class_side.values())
    keep += sorted(comments.values())
    keep += sorted(i for i, kind in methods.values() if kind == "compile_method")
    return CompactionPlan(tuple(changes[i].payload for i in keep), total)


def _superclasses_first(names: list[str], superclass: Mapping[str, str]) -> list[str] | None:
    """``names`` reordered so each comes after its superclass (if that is one of ``names``),
    otherwise keeping the given order; None on a cycle."""
    done: set[str] = set()
    order: list[str] = []
    for start in names:
        path: list[str] = []
        name: str | None = start
        while name is not None and name in superclass and name not in done:
            if name in path:
                return None
            path.append(name)
            name = superclass[name]
        for each in reversed(path):
            done.add(each)
            order.append(each)
    return order


__all__ = ["CompactionPlan", "LoggedChange", "plan_compaction"]
