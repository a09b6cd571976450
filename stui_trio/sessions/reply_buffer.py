"""A session's recent replies, keyed by request id: retries are answered, not run twice.

A REQ client that timed out reconnects and sends the same request again, with the same ``id``.
Running it twice would apply it twice (``x := x + 1``, a state update). So every session keeps
a small, bounded, persisted :class:`ReplyBuffer` of the replies it sent lately; the dispatcher
(``server/dispatch.py``) answers a retry from it, and ``get_missed_replies`` lets a client that
reconnected read what it missed.

    ReplyBuffer (a frozen value, part of the Session; sessions/codec.py stores it)
      entries: ReplyEntry{seq, request_id, command, params_hash, raw, at_ms}, oldest first
      last_seq: the per-session sequence number of the newest entry ever recorded

Memory shape: a busy server holds ``sessions x reply_buffer_size`` entries (64k at 1,000
sessions) for as long as they live, and CPython's cyclic collector walks every container it
tracks on each full collection. So an entry keeps its reply body as the orjson-encoded bytes
(``raw``, decoded only for a replay or ``get_missed_replies``), and its journal form is a dict
holding only strings, ints and an ``orjson.Fragment`` of those bytes, which the collector does
not track: an entry is one tracked object, not five.

What is kept (the dispatcher decides, with :func:`client_supplied` and :func:`keeps_error`):
only ids the client sent (never the ``srv-...`` ids the edge makes up), only requests naming a
session, only commands registered with ``keeps_reply`` (read-only ones opt out so polling
does not push real replies out), and of the errors only those that say the command *ran*
(:data:`KEPT_ERRORS`): an error that says "nothing happened, retry" must let the retry run.

A retry matches an entry when id, command and parameters (their hash) are all the same: a
client that reuses one id for different requests gets fresh answers, not stale ones.

:class:`ReplyRecorder` is the per-request handle handlers reach through
``CommandContext.remember_reply`` / ``with_reply``: a handler that saves a durable change puts
its reply in the buffer *before* that save, so a crash between save and reply still lets the
retry find it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import orjson

if TYPE_CHECKING:  # the manager imports the model, which imports this module
    from stui_trio.sessions.manager import SessionManager
    from stui_trio.sessions.model import Session

log = logging.getLogger(__name__)

#: The edge's made-up ids start with this (``protocol.dialects.made_up_id``); a test pins it.
MADE_UP_PREFIX = "srv-"

#: Error replies that report an outcome of running the command (side effects may have
#: happened), so a retry must get them back rather than run again. Every other error says the
#: command did not run, or not completely and harmlessly (StorageError: "not applied, retry").
KEPT_ERRORS = frozenset({"EvaluationError", "Timeout", "Interrupted"})

#: A reply body bigger than this (encoded JSON) is kept with its long strings clipped to
#: CLIPPED_CHARS and ``reply_clipped: true`` beside ``replayed`` (the buffer is rewritten with
#: the session on every save); if even that is too big it is not kept and its retry runs again.
MAX_REPLY_BYTES = 64 * 1024
CLIPPED_CHARS = 1000


def client_supplied(request_id: str) -> bool:
    """True unless the edge made the id up (the client sent none)."""
    return not request_id.startswith(MADE_UP_PREFIX)


def keeps_error(error_type: str | None) -> bool:
    return error_type in KEPT_ERRORS


def params_hash(parameters: Mapping[str, Any]) -> str:
    """A short fingerprint of a request's parameters (key order does not matter)."""
    try:
        raw = orjson.dumps(
            parameters if type(parameters) is dict else dict(parameters),
            option=orjson.OPT_SORT_KEYS,
        )
    except (TypeError, orjson.JSONEncodeError):
        raw = repr(sorted(parameters.items(), key=lambda kv: str(kv[0]))).encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def success_body(result: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"status": "success", "result": dict(result) if result is not None else {}}


def error_body(
    error_type: str | None, error: str | None, details: Mapping[str, Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "error", "error": error, "error_type": error_type}
    if details:
        body["details"] = dict(details)
    return body


def encoded_body(body: Mapping[str, Any]) -> bytes | None:
    """``body`` as the JSON bytes to keep (a snapshot: later changes to the original do not
    leak in), with its long strings clipped and ``reply_clipped: true`` added when too big;
    None when it is not a JSON-able map or too big even clipped."""
    try:
        raw = orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if raw[:1] != b"{":
        return None
    if len(raw) <= MAX_REPLY_BYTES:
        return raw
    clipped = _clip(orjson.loads(raw))
    part = "result" if isinstance(clipped.get("result"), dict) else "details"
    clipped[part] = {**(clipped.get(part) or {}), "reply_clipped": True}
    raw = orjson.dumps(clipped)
    return raw if len(raw) <= MAX_REPLY_BYTES else None


def _clip(value: Any) -> Any:
    """``value`` with every string longer than CLIPPED_CHARS cut to that length (plus "…")."""
    if isinstance(value, str):
        return value if len(value) <= CLIPPED_CHARS else value[:CLIPPED_CHARS] + "…"
    if isinstance(value, dict):
        return {k: _clip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip(v) for v in value]
    return value


@attrs.frozen
class ReplyEntry:
    """One reply as sent: ``raw`` is the orjson encoding of ``{status, result}`` or
    ``{status, error, error_type, details?}`` (:attr:`reply` decodes it), ``at_ms`` when it
    was recorded, epoch milliseconds (an integer: the session document writes integers much
    faster than floats). Entries with equal fields (the same bytes) are equal."""

    seq: int
    request_id: str
    command: str
    params_hash: str
    raw: bytes
    at_ms: int
    # The journal form, built once: an entry is written with every save of its session for as
    # long as it stays in the buffer (up to ``reply_buffer_size`` saves). Only str, int and a
    # Fragment (not a container to the collector) inside, so the dict is not GC-tracked.
    _journal: dict[str, Any] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_journal", {
            "seq": self.seq, "id": self.request_id, "command": self.command,
            "params_hash": self.params_hash, "reply": orjson.Fragment(self.raw),
            "at_ms": self.at_ms,
        })

    @classmethod
    def of(
        cls, seq: int, request_id: str, command: str, params_hash: str,
        reply: Mapping[str, Any], at_ms: int,
    ) -> ReplyEntry:
        """An entry of a reply body given as a map (raises TypeError if not JSON-able)."""
        return cls(seq, request_id, command, params_hash, orjson.dumps(reply), at_ms)

    @property
    def reply(self) -> dict[str, Any]:
        """The reply body, decoded afresh on each read (a new dict: the caller may keep or
        change it)."""
        body: dict[str, Any] = orjson.loads(self.raw)
        return body

    def to_json(self) -> dict[str, Any]:
        """The entry as plain JSON (a new value, ``reply`` decoded)."""
        return {**self._journal, "reply": self.reply}

    def to_journal_json(self) -> dict[str, Any]:
        """The entry as orjson input: ``reply`` is an ``orjson.Fragment`` of :attr:`raw`, so
        ``orjson.dumps`` writes the same bytes as for :meth:`to_json`. Shared with the entry
        (built once): read it, do not change it; only orjson can encode it."""
        return self._journal


@attrs.frozen
class ReplyPage:
    entries: tuple[ReplyEntry, ...]
    next: int
    missed: int  # entries after `since` already dropped from the bounded buffer


@attrs.frozen
class ReplyBuffer:
    """The newest replies of one session, oldest first; changes return a new value."""

    entries: tuple[ReplyEntry, ...] = ()
    last_seq: int = 0

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, request_id: str) -> ReplyEntry | None:
        for entry in reversed(self.entries):
            if entry.request_id == request_id:
                return entry
        return None

    def record(
        self,
        request_id: str,
        command: str,
        phash: str,
        raw: bytes,
        at: float,
        capacity: int,
    ) -> ReplyBuffer:
        """A buffer with this reply (``raw``: its body from :func:`encoded_body`, recorded at
        epoch time ``at``) added as the newest, replacing one with the same id, and the oldest
        dropped beyond ``capacity``; 0 keeps nothing."""
        if capacity <= 0:
            return ReplyBuffer((), self.last_seq) if self.entries else self
        seq = self.last_seq + 1
        kept = [e for e in self.entries if e.request_id != request_id]
        kept.append(ReplyEntry(seq, request_id, command, phash, raw, round(at * 1000)))
        return ReplyBuffer(tuple(kept[-capacity:]), seq)

    def forget(self, request_id: str) -> ReplyBuffer:
        if self.find(request_id) is None:
            return self
        return ReplyBuffer(
            tuple(e for e in self.entries if e.request_id != request_id), self.last_seq
        )

    def since(self, seq: int = 0, limit: int | None = None) -> ReplyPage:
        """Entries numbered above ``seq`` (at most ``limit``), oldest first; like the
        Transcript's ``since``: ``next`` is what to ask for next time."""
        selected = [e for e in self.entries if e.seq > seq]
        # Numbers between `seq` and the oldest kept one were dropped (or forgotten).
        oldest_kept = self.entries[0].seq if self.entries else self.last_seq + 1
        missed = max(0, oldest_kept - seq - 1) if seq < self.last_seq else 0
        if limit is not None:
            selected = selected[:limit]
        next_seq = selected[-1].seq if selected else max(seq, self.last_seq)
        return ReplyPage(tuple(selected), next_seq, missed)

    # -- the session document's ``#replies`` (JSON; see sessions/codec.py) -----------------

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (every reply decoded): for the STON writers. A new value."""
        return {"last_seq": self.last_seq, "entries": [e.to_json() for e in self.entries]}

    def to_journal_json(self) -> dict[str, Any]:
        """:meth:`to_json` as orjson input (the replies as ``orjson.Fragment``, see
        :meth:`ReplyEntry.to_journal_json`): ``orjson.dumps`` of it gives the same bytes as of
        :meth:`to_json`, without decoding or building anything per entry."""
        return {"last_seq": self.last_seq, "entries": [e._journal for e in self.entries]}

    @classmethod
    def from_json(cls, data: Any) -> ReplyBuffer:
        """Read back :meth:`to_json` (plain JSON, as orjson or the STON reader give it);
        anything malformed gives an empty buffer (it is a cache of answers: losing it must
        never make a session unreadable)."""
        try:
            entries = tuple(
                ReplyEntry.of(
                    seq=_int(e["seq"]), request_id=_str(e["id"]), command=_str(e["command"]),
                    params_hash=_str(e["params_hash"]), reply=_map(e["reply"]),
                    at_ms=_int(e["at_ms"]),
                )
                for e in data["entries"]
            )
            last_seq = _int(data["last_seq"])
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("stored reply buffer unreadable (%s); starting it empty", exc)
            return cls()
        return cls(entries, max([last_seq, *(e.seq for e in entries)]))


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _map(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a map, got {type(value).__name__}")
    return value


@attrs.define(eq=False)
class ReplyRecorder:
    """One request's handle on its session's buffer (made by the dispatcher for requests
    whose reply is kept; ``CommandContext.replies``)."""

    sessions: SessionManager
    session_id: str
    request_id: str
    command: str
    phash: str
    capacity: int
    #: A handler put the success reply in already (before its durable save).
    remembered: bool = False

    def stored(self, session: Session) -> ReplyEntry | None:
        """The kept reply a retry of this request gets, if any."""
        entry = session.replies.find(self.request_id)
        if entry is None or (entry.command, entry.params_hash) != (self.command, self.phash):
            return None
        return entry

    def _record(self, buffer: ReplyBuffer, raw: bytes) -> ReplyBuffer:
        return buffer.record(
            self.request_id, self.command, self.phash, raw, self.sessions.now(), self.capacity
        )

    def remember(self, result: Mapping[str, Any]) -> None:
        """Keep ``result`` as this request's success reply now, in the live session (it is
        saved with the session's next save: call this before the handler's own save)."""
        raw = encoded_body(success_body(result))
        if raw is None:
            return
        if self.sessions.change_replies(self.session_id, lambda b: self._record(b, raw)):
            self.remembered = True

    def into(self, session: Session, result: Mapping[str, Any]) -> Session:
        """``session`` with ``result`` kept as this request's reply (for a handler that
        builds the session value it is about to save)."""
        raw = encoded_body(success_body(result))
        if raw is None or session.session_id != self.session_id:
            return session
        self.remembered = True
        return attrs.evolve(session, replies=self._record(session.replies, raw))

    def settle(self, ok: bool, body: Mapping[str, Any]) -> None:
        """After the handler: keep the reply that is being sent (``body``), unless a handler
        kept it already; an error that is not kept undoes what the handler remembered."""
        if ok:
            if self.remembered:
                return
            kept = encoded_body(body)
        else:
            kept = encoded_body(body) if keeps_error(body.get("error_type")) else None
        if kept is not None:
            self.sessions.change_replies(self.session_id, lambda b: self._record(b, kept))
        elif self.remembered:
            self.sessions.change_replies(self.session_id, lambda b: b.forget(self.request_id))
