"""Durability hooks of the tool commands (durable mode): image changes and workspaces on disk.

`attach_persistence(store, service)` is the server's wiring: it gives the durable session
store an `ImageLog` (`<sessions_dir>/image.changes`, replayed at start inside the store's
`running()`) and the `ToolsWorkspaceCodec`, and tells the `ToolsService` to use them. The
command handlers then call `commit_image` before replying to anything that may have changed
the image, and `save_workspace` before replying to an `evaluate` that bound a workspace
variable: it describes the bindings (printString runs user code, so in a worker under a token,
like a doit) and saves the session through the session manager - the store's group commit
writes the live objects (`#workspace`) and these JSON summaries (`#state`). Evaluations that
bound nothing mark their session unsaved; `run_workspace_flusher` saves those every
`workspace_flush_interval_ms`, and the server flushes them once more when it stops.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import trio
from trio_util import periodic

from stui_trio.protocol.errors import StuiError
from stui_trio.sessions.codec import WorkspaceText
from stui_trio.sessions.image_log import ImageLog
from stui_trio.sessions.manager import SessionManager
from stui_trio.sessions.workspace_codec import (
    ToolsWorkspaceCodec,
    encode_workspace,
    is_storable,
)
from stui_trio.tools.evaluator import run_in_worker
from stui_trio.tools.inspector import clip
from stui_trio.tools.session_tools import SessionTools, ToolsService

log = logging.getLogger(__name__)


async def commit_image(service: ToolsService) -> None:
    """Wait until the image changes made so far are in the change log, on disk."""
    if service.image_log is not None:
        await service.image_log.commit()


async def save_workspace(
    sessions: SessionManager, service: ToolsService, tools: SessionTools, timeout: float
) -> None:
    """Save the session (its live workspace and JSON summaries); returns once durable.

    Describing the bindings (printString runs user code) and writing the object graph as
    STON both happen in a worker thread while the session is locked, so no evaluation of
    the session changes the objects meanwhile and the event loop stays free."""
    if not service.persist_workspaces:
        return
    tools.unsaved = False  # what changes from here on is marked again
    image = service.image
    limit = service.config.persisted_registry_entries

    def snapshot(token: Any) -> tuple[dict[str, Any], WorkspaceText]:
        context: dict[str, Any] = {}
        with image.activated(token, tools.workspace):  # printString: under a token
            for name, obj in list(tools.workspace.bindings.items()):
                context[name] = _describe(image, tools, obj, print_it=True)
        return context, _workspace_text(image, tools, limit)

    async with tools.lock:
        done, _stopped = await run_in_worker(service, tools, snapshot, timeout)
        if done is None:  # a printOn: ran past the timeout: save without the print strings
            context = {name: _describe(image, tools, obj, print_it=False)
                       for name, obj in tools.workspace.bindings.items()}
            text = await trio.to_thread.run_sync(_workspace_text, image, tools, limit)
        else:
            context, text = done
    await _store(sessions, service, tools, context, text)


async def _store(
    sessions: SessionManager, service: ToolsService, tools: SessionTools,
    context: dict[str, Any], text: WorkspaceText, *, background: bool = False,
) -> None:
    """Save the session with its workspace written as ``text`` and bindings as ``context``."""
    image = service.image
    tools.saved_workspace = text
    tools.described = {name: (tools.workspace.bindings.get(name), info)
                       for name, info in context.items()}
    limit = service.config.persisted_registry_entries
    registry = {ref: image.class_name_of(obj) for ref, obj in tools.registry.recent(limit)}
    await sessions.update_state(tools.owner, tools.session_id, {
        "workspace_context": context,
        "object_registry": registry,
        "inspector_state": tools.inspector.snapshot(),
        "history": tools.history.latest_json(),
        "transcript": tools.transcript.entries_json(),
        "not_restored": [
            {"name": name, "class": info["class"], "print_string": info["print_string"],
             "reason": "cannot be stored"}
            for name, info in context.items() if not info["stored"]
        ],
    }, background=background)


def _describe(image: Any, tools: SessionTools, obj: Any, *, print_it: bool) -> dict[str, Any]:
    class_name = image.class_name_of(obj)
    shown = ""
    if print_it:
        try:
            shown = clip(image.print_string(obj), 1000)
        except Exception:  # a failing printOn: must not lose the save
            shown = f"a {class_name}"
    return {"print_string": shown, "class": class_name,
            "object_ref": tools.registry.register(obj), "stored": is_storable(image, obj)}


def _workspace_text(image: Any, tools: SessionTools, limit: int) -> WorkspaceText:
    """(worker thread, session locked) The bindings and recent references as STON."""
    return WorkspaceText.of(encode_workspace(
        image, dict(tools.workspace.bindings), tools.registry.recent(limit),
        tools.registry.next_number,
    ))


def _redescribed(image: Any, tools: SessionTools) -> dict[str, Any] | None:
    """The bindings' summaries from the last save, when every binding still holds the object
    it held then (so no printString has to run); None when one was bound since."""
    context = {}
    for name, obj in tools.workspace.bindings.items():
        previous = tools.described.get(name)
        if previous is None or previous[0] is not obj:
            return None
        context[name] = {**previous[1], "class": image.class_name_of(obj)}
    return context if len(context) == len(tools.described) else None


#: Sessions whose workspaces one background worker job writes (their locks held meanwhile).
FLUSH_CHUNK = 32


async def flush_unsaved_workspaces(
    sessions: SessionManager, service: ToolsService, timeout: float
) -> int:
    """Save every workspace changed since its last save; answers how many were saved.

    What the background flusher saves was changed by evaluations that bound nothing, so the
    bindings' print strings are kept from the last save (printString is user code, and
    running it for every session every second would cost more than everything else here:
    ``workspace_context`` print strings are as of the last time a variable was bound). The
    object graphs of up to FLUSH_CHUNK idle sessions are written by one worker job with
    their locks held (a session busy evaluating is left for the next round), outside
    ``evaluation_threads``'s workers so clients' evaluations never queue behind it; each
    chunk's saves then run side by side (the store's group commit batches them, behind the
    saves clients wait for) before the next chunk is written. A session with a variable
    bound since its last save takes the full path (``save_workspace``)."""
    if not service.persist_workspaces:
        return 0
    image = service.image
    limit = service.config.persisted_registry_entries
    saved = 0

    async def save(tools: SessionTools, step: Any) -> None:
        nonlocal saved
        try:
            await step()
            saved += 1
        except StuiError as exc:  # closed or expired meanwhile, or the disk failed
            log.warning("background save of session %s failed: %s", tools.session_id, exc)

    pending = service.unsaved()
    # Chunk by chunk, each chunk's saves done before the next chunk is written: the event
    # loop's share (state to JSON, the store's queue) is spread over the round instead of
    # landing on it all at once, and at most a chunk of save tasks is alive at a time (a
    # thousand of them at once were a good part of what the garbage collector scanned).
    for start in range(0, len(pending), FLUSH_CHUNK):
        async with trio.open_nursery() as nursery:
            chunk: list[tuple[SessionTools, dict[str, Any]]] = []
            for tools in pending[start:start + FLUSH_CHUNK]:
                context = _redescribed(image, tools)
                if context is None:  # bound since its last save: print strings needed
                    nursery.start_soon(save, tools, partial(
                        save_workspace, sessions, service, tools, timeout))
                    continue
                try:
                    tools.lock.acquire_nowait()
                except trio.WouldBlock:
                    continue  # evaluating right now: still unsaved, next round
                tools.unsaved = False
                chunk.append((tools, context))
            if not chunk:
                continue
            try:
                texts = await trio.to_thread.run_sync(
                    lambda c=chunk: [_workspace_text(image, t, limit) for t, _ in c]
                )
            finally:
                for tools, _ in chunk:
                    tools.lock.release()
            for (tools, context), text in zip(chunk, texts, strict=True):
                nursery.start_soon(save, tools, partial(
                    _store, sessions, service, tools, context, text, background=True))
    return saved


async def run_workspace_flusher(
    sessions: SessionManager, service: ToolsService, interval: float, timeout: float
) -> None:
    """Every `interval` seconds, save the workspaces evaluations changed without binding."""
    async for _ in periodic(interval):
        await flush_unsaved_workspaces(sessions, service, timeout)


def attach_persistence(store: Any, service: ToolsService, config: Any = None) -> None:
    """Durable mode: log the image's changes next to the sessions and store workspaces.

    `store` is the server's `DurableSessionStore`; it runs the change log (`image.changes` in
    its directory) inside its `running()`, after taking the directory lock. `config` (the
    `ServerConfig`) sets when that log is compacted at start."""

    options = {} if config is None else {
        "compact_min_superseded": config.change_log_compact_min_superseded}
    image_log = ImageLog(store.settings.root / "image.changes", service.image, **options)
    store.image_log = image_log
    store.workspace_codec = ToolsWorkspaceCodec(service)
    service.image_log = image_log
    service.persist_workspaces = True
