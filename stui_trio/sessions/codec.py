"""Session <-> STON: the payload the durable store writes for one session.

A session file's payload (after the storage layer's verified header, see
``storage/framing.py``) is one STON document::

    StuiSession{
        #format : 1,
        #meta : { #session_id : '...', #client_id : '...', #created_at : 1.7e9, ... },
        #state : { 'workspace_context' : {...}, 'history' : [...], ... },
        #replies : { 'last_seq' : 7, 'entries' : [ { 'seq' : 7, 'id' : 'r-17', ... } ] },
        #workspace : nil
    }

* ``#meta`` holds the :class:`~stui_trio.sessions.model.Session` fields (symbol keys).
* ``#state`` is the session's JSON-able state: JSON objects become STON maps with *string*
  keys, arrays lists, strings strings (never symbols), numbers, booleans and null as
  themselves, so decoding gives back exactly the JSON value that was stored.
* ``#replies`` is the session's buffer of recent replies (``sessions/reply_buffer.py``) as
  JSON data, written only when it holds something. A document without it (every file written
  before the buffer existed) reads back with an empty buffer, and a build that does not know
  the key ignores it, so ``#format`` stays 1. The journal's form embeds each kept reply's
  stored JSON bytes as they are: the same text as encoding the decoded reply.
* ``#workspace`` is the seam for real Smalltalk objects: a :class:`WorkspaceCodec` turns a
  session's live workspace into any STON value (with ``@N`` sharing and cycles, Pharo tags)
  and back. The default is none: ``nil`` is written, and a value found in a file is handed
  back untouched as :attr:`Decoded.workspace` so a build without the codec never destroys it.

Speed: the whole document is rewritten on every acknowledged update, so :func:`encode_session`
writes JSON-only documents (no workspace value) without the model: the state goes through
orjson and a few text substitutions when its strings need no STON escaping (the common case),
else through a direct JSON -> STON emitter. Both are byte-identical to ``storage.ston.dumps``
of the model (a property test checks it) and about ten times faster (30 us for a 4.5 KB
session). Anything else (a workspace graph, whose ``@N`` numbering spans the whole document)
goes through the model and the STON writer.

``#format`` versions the document (the storage header versions the file framing separately).
:data:`MIGRATIONS` maps version *n* to a function taking a version-*n* ``StuiSession`` map to
version *n + 1*; a document newer than :data:`FORMAT` is refused, never guessed at.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs
import orjson

from stui_trio.sessions.model import Session
from stui_trio.sessions.reply_buffer import ReplyBuffer
from stui_trio.storage.ston import StonMap, StonObject, Symbol, dumps, load_bytes
from stui_trio.storage.ston.numbers import float_text, int_text
from stui_trio.storage.ston.strings import quote

TAG = "StuiSession"
FORMAT = 1

#: version n -> function upgrading a version-n document map to version n + 1.
MIGRATIONS: dict[int, Callable[[StonMap], StonMap]] = {}

_META_FIELDS = (
    "session_id", "client_id", "created_at", "last_access", "last_modified", "timeout",
    "subscription_tier", "client_info",
)
_JSON_SCALARS = (str, int, float, bool, type(None))


class SessionDecodeError(ValueError):
    """A payload that verified on disk but is not a session document this build can read."""


class WorkspaceCodec(Protocol):
    """Turns a session's live workspace (Smalltalk objects) into a STON value and back.

    ``encode`` returns a STON model value (``storage.ston.model``), a :class:`WorkspaceText`,
    or None for "nothing to store"; ``decode`` receives what ``encode`` wrote and the session
    it belongs to, as a model value or, when it was read from the journal's form, as a
    :class:`WorkspaceText` not parsed yet (``.value()`` parses it: defer that until the
    objects are needed, and a restore stays cheap).
    """

    def encode(self, session: Session) -> Any: ...

    def decode(self, value: Any, session: Session) -> None: ...


@attrs.frozen
class Decoded:
    """A session read back from a payload, plus the raw ``#workspace`` value (None if nil;
    a :class:`WorkspaceText` when it came from the journal's form, not parsed yet)."""

    session: Session
    workspace: Any = None


@attrs.frozen
class WorkspaceText:
    """A ``#workspace`` value already written as STON text, numbered to stand first in the
    document: its objects take reference numbers from 2 (the document's top object is 1).

    Writing a workspace graph is the expensive part of a save, so the tools layer writes it
    in a worker thread (while the session is locked) and hands the text over; the document
    around it is then assembled from the JSON parts without the value model."""

    text: str

    @classmethod
    def of(cls, value: Any) -> WorkspaceText:
        """The text of a STON model value: a one-element list numbers its contents from 2."""
        return cls(dumps([value])[1:-1])

    def value(self) -> Any:
        """The model value back (the slow path: documents the fast emitter cannot write)."""
        (value,) = load_bytes(b"[" + self.text.encode("utf-8") + b"]")
        return value


def encode_session(
    session: Session, *, workspace: Any = None, pretty: bool = False
) -> bytes:
    """The UTF-8 STON payload of ``session``; ``workspace`` is a STON value, a
    :class:`WorkspaceText`, or None."""
    if not pretty and (workspace is None or isinstance(workspace, WorkspaceText)):
        fast = _document_from_json(*_json_parts(session, journal=True), workspace)
        if fast is not None:
            return fast
    if isinstance(workspace, WorkspaceText):
        workspace = workspace.value()
    return encode_session_model(session, workspace=workspace, pretty=pretty)


def encode_session_model(
    session: Session, *, workspace: Any = None, pretty: bool = False
) -> bytes:
    """:func:`encode_session` through the STON value model and writer (the reference path)."""
    meta = StonMap(
        (Symbol(name), _to_ston(_meta_value(session, name), "meta." + name))
        for name in _META_FIELDS
    )
    doc = StonMap([
        (Symbol("format"), FORMAT),
        (Symbol("meta"), meta),
        (Symbol("state"), _to_ston(dict(session.state), "state")),
    ])
    if session.replies.entries:
        doc.append(Symbol("replies"), _to_ston(session.replies.to_json(), "replies"))
    doc.append(Symbol("workspace"), workspace)
    return dumps(StonObject(TAG, doc), pretty=pretty).encode("utf-8")


def decode_session(payload: bytes) -> Decoded:
    """The session in a payload (or a journal payload); raises :class:`SessionDecodeError`
    if it is not one."""
    if payload[:1] == b"{":
        return _decode_journal_form(payload)
    try:
        top = load_bytes(payload)
    except ValueError as exc:  # StonParseError is a ValueError
        raise SessionDecodeError(f"not STON: {exc}") from None
    if not isinstance(top, StonObject) or top.tag != TAG or not top.is_map:
        raise SessionDecodeError(f"not a {TAG}{{...}} document")
    doc = top.value
    assert isinstance(doc, StonMap)
    version = doc.get(Symbol("format"))
    if type(version) is not int or version < 1:
        raise SessionDecodeError(f"bad #format {version!r}")
    if version > FORMAT:
        raise SessionDecodeError(
            f"#format {version} is newer than this build understands ({FORMAT})"
        )
    while version < FORMAT:
        doc = MIGRATIONS[version](doc)
        version += 1
    meta = doc.get(Symbol("meta"))
    if not isinstance(meta, StonMap):
        raise SessionDecodeError("#meta is missing or not a map")
    fields: dict[str, Any] = {}
    for name in _META_FIELDS:
        if Symbol(name) not in meta:
            raise SessionDecodeError(f"#meta lacks #{name}")
        fields[name] = _from_ston(meta[Symbol(name)], "meta." + name)
    state = _from_ston(doc.get(Symbol("state"), StonMap()), "state")
    replies = doc.get(Symbol("replies"))
    return _decoded(
        fields, state, _from_ston(replies, "replies") if replies is not None else None,
        doc.get(Symbol("workspace")),
    )


def _decode_journal_form(payload: bytes) -> Decoded:
    """:func:`decode_session` of the journal's JSON form: orjson for the JSON parts, the STON
    reader only for the workspace graph (the form the store hands out when it has it)."""
    try:
        doc = orjson.loads(payload)
        meta, state, replies, text = doc["meta"], doc["state"], doc["replies"], doc["workspace"]
        fields = {name: meta[name] for name in _META_FIELDS}
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SessionDecodeError(f"not a journaled session: {exc!r:.200}") from None
    if text is not None and not isinstance(text, str):
        raise SessionDecodeError("the journaled workspace is not STON text")
    # The workspace stays text: it is parsed when the session's tools are first used (a
    # restore answers from the JSON parts), or written back as it is.
    return _decoded(fields, state, replies, WorkspaceText(text) if text is not None else None)


def _decoded(fields: dict[str, Any], state: Any, replies: Any, workspace: Any) -> Decoded:
    if not isinstance(state, dict):
        raise SessionDecodeError("#state is not a map")
    try:
        session = Session(
            session_id=str(fields["session_id"]),
            client_id=str(fields["client_id"]),
            created_at=float(fields["created_at"]),
            last_access=float(fields["last_access"]),
            last_modified=float(fields["last_modified"]),
            timeout=float(fields["timeout"]),
            subscription_tier=str(fields["subscription_tier"]),
            client_info=dict(fields["client_info"] or {}),
            state=state,
        )
    except (TypeError, ValueError) as exc:
        raise SessionDecodeError(f"bad #meta field: {exc}") from None
    if replies is not None:
        session = attrs.evolve(session, replies=ReplyBuffer.from_json(replies))
    return Decoded(session, workspace)


class _NotJson(Exception):
    """The fast emitter met something it does not handle; use the model path."""


def _json_parts(
    session: Session, *, journal: bool = False
) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """The document's JSON parts. ``journal``: the replies in their orjson-only form (kept
    bodies as ``orjson.Fragment``, see ``ReplyBuffer.to_journal_json``), which only orjson
    and :func:`_document_from_json` read; else plain JSON."""
    meta = {name: _meta_value(session, name) for name in _META_FIELDS}
    replies = None
    if session.replies.entries:
        buffer = session.replies
        replies = buffer.to_journal_json() if journal else buffer.to_json()
    return meta, dict(session.state), replies


def _document_from_json(
    meta: dict[str, Any], state: dict[str, Any], replies: Any,
    workspace: WorkspaceText | None = None,
) -> bytes | None:
    # With a workspace, it goes first: its text is numbered for that place (WorkspaceText).
    out: list[str] = ["StuiSession{"]
    if workspace is not None:
        out += ["#workspace:", workspace.text, ","]
    out += ["#format:", str(FORMAT), ",#meta:{"]
    try:
        for i, name in enumerate(_META_FIELDS):
            if i:
                out.append(",")
            out.append("#" + name + ":")
            _emit(meta[name], out)
        out.append("},#state:")
        _emit_json(state, out)
        if replies is not None:
            out.append(",#replies:")
            # Either form (plain or orjson-only): orjson writes the same text for both.
            text = _via_orjson(replies)
            if text is None:
                raise _NotJson  # (kept replies are orjson's output: never seen)
            out.append(text)
    except (_NotJson, RecursionError):
        return None
    out.append("}" if workspace is not None else ",#workspace:nil}")
    return "".join(out).encode("utf-8")


# -- the journal's form ------------------------------------------------------------------------
#
# A save is acknowledged once it is in the write-ahead journal; its file is written later, at a
# checkpoint, once per session however often it was saved (``storage/checkpoint.py``). So the
# journal record need not be STON: a JSON-only session goes there as orjson's JSON (a few
# microseconds, in C, on the event loop), and the checkpoint turns the newest one of each
# session into the STON document of the file, in a worker thread.


def encode_session_for_journal(session: Session, *, workspace: Any = None) -> bytes:
    """What the journal records for ``session``: JSON (the workspace, if any, as STON text
    inside it) when its state is plain JSON, else the STON payload itself.
    :func:`journal_to_ston` reads both."""
    if workspace is not None and not isinstance(workspace, WorkspaceText):
        workspace = WorkspaceText.of(workspace)
    meta, state, replies = _json_parts(session, journal=True)
    try:
        return orjson.dumps({
            "meta": meta, "state": state, "replies": replies,
            "workspace": workspace.text if workspace is not None else None,
        })
    except (TypeError, orjson.JSONEncodeError):
        # ints over 64 bits and the like: the STON writer knows them
        return encode_session(session, workspace=workspace)


def journal_to_ston(payload: bytes) -> bytes:
    """The file payload (STON) of a journal payload (``encode_session_for_journal``)."""
    if payload[:1] != b"{":
        return payload
    doc = orjson.loads(payload)
    text = doc.get("workspace")
    workspace = WorkspaceText(text) if text is not None else None
    fast = _document_from_json(doc["meta"], doc["state"], doc["replies"], workspace)
    if fast is not None:
        return fast
    session = Session(**doc["meta"], state=doc["state"])  # rare: strings the model escapes
    if doc["replies"] is not None:
        session = attrs.evolve(session, replies=ReplyBuffer.from_json(doc["replies"]))
    return encode_session_model(
        session, workspace=workspace.value() if workspace is not None else None
    )


_JSON_FLOAT = re.compile(r"-?\d+(?:\.\d+(?:e[-+]?\d+)?|e[-+]?\d+)")
# A \uXXXX escape with a lowercase hex digit (orjson writes \u001f where STON writes \u001F).
_LOWER_HEX_ESCAPE = re.compile(r"\\u(?=[0-9a-fA-F]{0,3}[a-f])([0-9a-fA-F]{4})")
# Characters STON escapes and JSON does not: DEL and the C1 controls.
_DEL_C1 = re.compile("[\x7f-\x9f]")
_DEL_C1_ESCAPES = {code: f"\\u{code:04X}" for code in range(0x7F, 0xA0)}


def _via_orjson(state: dict[str, Any]) -> str | None:
    """STON text of a JSON state via orjson, or None when orjson cannot write it.

    STON strings are JSON's with ``'`` for ``"``: the same escapes (``\\n``, ``\\\\``,
    ``\\uXXXX``...) except that STON escapes ``'`` and DEL/C1 controls, and not ``"``. So
    the JSON text is edited in C, never walked in Python: escaped backslashes and quotes are
    set aside first (as two characters JSON text never holds raw), after which every ``"``
    delimits a string and every ``'``, DEL or C1 character is inside one. Splitting on ``"``
    then alternates structure (even parts) and string bodies (odd parts). In the structure
    only ``null`` and float spellings differ from STON. (orjson writes a non-finite float as
    null, as it does on the wire: JSON has no other spelling for it.) The transcript's
    newlines made every real session take the slow path before: ~9 ms instead of ~2 ms for a
    session with 500 history entries and 2,000 Transcript lines."""
    try:
        text = orjson.dumps(state).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return None  # ints over 64 bits, non-str keys, other types: the emitter decides
    escaped = "\\" in text
    if escaped:
        text = text.replace("\\\\", "\x01").replace('\\"', "\x02")
        if "\\u" in text:
            text = _LOWER_HEX_ESCAPE.sub(lambda m: "\\u" + m.group(1).upper(), text)
    if "'" in text:
        text = text.replace("'", "\\'")
    if (not text.isascii() or "\x7f" in text) and _DEL_C1.search(text):
        text = text.translate(_DEL_C1_ESCAPES)
    parts = text.split('"')
    # All structure parts as one text (NUL cannot occur unescaped in JSON), fixed in C.
    structure = "\0".join(parts[0::2])
    fixed = structure.replace("null", "nil")
    if "." in fixed or "e" in fixed.replace("true", "").replace("false", ""):
        fixed = _JSON_FLOAT.sub(lambda m: float_text(float(m.group())), fixed)
    if fixed != structure:
        parts[0::2] = fixed.split("\0")
    ston = "'".join(parts)
    return ston.replace("\x02", '"').replace("\x01", "\\\\") if escaped else ston


def _emit_json(value: dict[str, Any], out: list[str]) -> None:
    via_json = _via_orjson(value)
    if via_json is None:
        _emit(value, out)
    else:
        out.append(via_json)


def _emit(value: Any, out: list[str]) -> None:
    """Compact STON text of a JSON value, exactly as ``dumps`` writes the model of it."""
    kind = type(value)
    if kind is str:
        out.append(quote(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        sep = "{"
        for key, child in value.items():
            if type(key) is not str:
                raise _NotJson
            out.append(sep)
            out.append(quote(key))
            out.append(":")
            _emit(child, out)
            sep = ","
        out.append("}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        sep = "["
        for child in value:
            out.append(sep)
            _emit(child, out)
            sep = ","
        out.append("]")
    elif kind is int:
        out.append(int_text(value))
    elif kind is float:
        if not math.isfinite(value):
            raise _NotJson
        out.append(float_text(value))
    elif value is None:
        out.append("nil")
    elif kind is bool:
        out.append("true" if value else "false")
    else:
        raise _NotJson


def _meta_value(session: Session, name: str) -> Any:
    value = getattr(session, name)
    return dict(value) if isinstance(value, Mapping) else value


def _to_ston(value: Any, where: str) -> Any:
    """JSON value -> STON model (iterative: client state may nest deeply)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any] | StonMap, Any]] = [(value, root, 0)]
    while stack:
        item, parent, slot = stack.pop()
        if isinstance(item, _JSON_SCALARS):
            out: Any = item
        elif isinstance(item, Mapping):
            out = StonMap()
            for key, child in item.items():
                if not isinstance(key, str):
                    raise TypeError(f"{where}: map key {key!r} is not a string")
                out.append(key, None)
                stack.append((child, out, len(out.pairs) - 1))
        elif isinstance(item, list | tuple):
            out = [None] * len(item)
            stack.extend((child, out, i) for i, child in enumerate(item))
        else:
            raise TypeError(f"{where}: {type(item).__name__} is not JSON-able")
        if isinstance(parent, StonMap):
            parent.pairs[slot] = (parent.pairs[slot][0], out)
        else:
            parent[slot] = out
    return root[0]


def _from_ston(value: Any, where: str) -> Any:
    """STON model -> JSON value; anything a JSON state cannot hold is a decode error."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, parent, slot = stack.pop()
        if isinstance(item, _JSON_SCALARS):
            out: Any = item
        elif isinstance(item, Symbol):  # meta keys are symbols; their values never are
            out = item.name
        elif isinstance(item, StonMap):
            out = {}
            for key, child in item.pairs:
                if isinstance(key, Symbol):
                    key = key.name
                if not isinstance(key, str):
                    raise SessionDecodeError(f"{where}: map key {key!r} is not a string")
                out[key] = None
                stack.append((child, out, key))
        elif isinstance(item, list):
            out = [None] * len(item)
            stack.extend((child, out, i) for i, child in enumerate(item))
        else:
            raise SessionDecodeError(f"{where}: {type(item).__name__} is not JSON data")
        parent[slot] = out
    return root[0]
