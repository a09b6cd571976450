"""The tool commands on the wire: parameter classes, handlers, and their registration.

The server calls `register_tool_commands(registry, service)` once at start, with the
`ToolsService` it built around the shared image. Every handler finds the session's own tools
through `session_tools(ctx, service)`:

- a command-style request names its `session_id`; the session manager checks it is the caller's
  own, live session (and extends its life), exactly as for `needs_session` commands;
- an envelope-style request (the STUI Rust client) may carry no session at all: it then works in
  an implicit per-peer workspace, so that client works unchanged.

`interrupt` is registered `inline`: the reader answers it at once, while the session's
evaluation is still running in the client's task.

Durability (durable mode, see `ToolsService.image_log` / `persist_workspaces`): a reply to
`define_class`, `compile_method` or an `evaluate` that changed the image is sent only after the
image change log has the change on disk (`durability.py`); a successful `evaluate` in a named
session also saves the session - its live workspace through the store's workspace codec, and
JSON summaries (`workspace_context`, history, Transcript) in its state - before replying.
"""

from __future__ import annotations

from typing import Any

import attrs

from stui_trio.protocol.commands import CommandContext, CommandRegistry
from stui_trio.protocol.errors import (
    ClassNotFound,
    InvalidRequest,
    MethodNotFound,
    ObjectNotFound,
    StuiError,
    Timeout,
)
from stui_trio.protocol.messages import Dialect
from stui_trio.smalltalk import Image
from stui_trio.tools import engine_port
from stui_trio.tools import image_reflection as reflection
from stui_trio.tools.browser import list_classes_page
from stui_trio.tools.completion import complete
from stui_trio.tools.durability import commit_image, save_workspace
from stui_trio.tools.evaluator import run_evaluation, run_in_worker, summary
from stui_trio.tools.inspector import inspect_object, navigate
from stui_trio.tools.names import ImageNames
from stui_trio.tools.session_tools import SessionTools, ToolsConfig, ToolsService
from stui_trio.tools.worker_call import run_on_pool

IMPLICIT_PREFIX = "implicit:"


@attrs.frozen
class EvaluateParams:
    code: str
    mode: str = "print"
    timeout_ms: int | None = None


@attrs.frozen
class InspectParams:
    object_ref: str | None = None
    code: str | None = None
    path: list[Any] | None = None
    offset: int | None = None
    limit: int | None = None
    timeout_ms: int | None = None


@attrs.frozen
class ListClassesParams:
    pattern: str | None = None
    package: str | None = None
    offset: int | None = None
    limit: int | None = None


@attrs.frozen
class BrowseClassParams:
    class_name: str
    include_methods: bool = True
    include_source: bool = False


@attrs.frozen
class GetMethodParams:
    class_name: str
    selector: str
    is_class_method: bool = False


@attrs.frozen
class SelectorParams:
    selector: str


@attrs.frozen
class DefineClassParams:
    definition: str


@attrs.frozen
class CompileMethodParams:
    class_name: str
    source: str
    category: str | None = None
    is_class_method: bool = False


@attrs.frozen
class CompleteParams:
    code: str
    cursor: int | None = None
    limit: int | None = None


@attrs.frozen
class TranscriptParams:
    since: int = 0
    limit: int | None = None


@attrs.frozen
class HistoryParams:
    limit: int | None = None


async def session_key(ctx: CommandContext) -> str:
    """The key of the caller's session tools (validating the session like `needs_session`)."""
    session_id = ctx.request.session_id or ctx.request.parameters.get("session_id")
    if isinstance(session_id, str) and session_id:
        session = await ctx.sessions.use(ctx.client_id, session_id)
        return session.session_id
    if ctx.request.dialect is Dialect.ENVELOPE:
        return IMPLICIT_PREFIX + ctx.client_id
    raise InvalidRequest(
        f"field 'session_id' is required for '{ctx.request.command}'; pass the id "
        "create_session returned",
        {"field": "session_id"},
    )


async def session_tools(ctx: CommandContext, service: ToolsService) -> SessionTools:
    # A closed or expired session's tools are dropped by the session manager's
    # on_session_end hook (``ToolsService.forget``, wired by ``install_tools``' caller).
    return service.tools_for(await session_key(ctx), ctx.client_id)


def _timeout(ctx: CommandContext, timeout_ms: int | None) -> float:
    if timeout_ms is not None and timeout_ms < 0:
        raise InvalidRequest("field 'timeout_ms' must be 0 or more", {"field": "timeout_ms"})
    return ctx.config.evaluation_timeout_for(timeout_ms)


def build_handlers(service: ToolsService) -> dict[str, Any]:
    """The handlers, each a closure over `service` (no global state)."""
    image = service.image

    async def evaluate(ctx: CommandContext, p: EvaluateParams) -> dict[str, Any]:
        tools = await session_tools(ctx, service)
        timeout = _timeout(ctx, p.timeout_ms)
        kept = not tools.session_id.startswith(IMPLICIT_PREFIX)  # a peer's workspace is not
        try:
            reply = await run_evaluation(service, tools, p.code, p.mode, timeout)
        except StuiError:
            tools.unsaved = kept  # a failed doit may still have changed the workspace
            raise
        finally:
            await commit_image(service)  # a doit may define classes, even one that fails
        if tools.not_restored:
            # Said once, on the first evaluation after the restore that lost them.
            reply["not_restored"], tools.not_restored = tools.not_restored, []
        if kept and reply.get("bindings_changed"):
            # A new or rebound workspace variable is acknowledged only once it is on disk;
            # the reply goes into the session's reply buffer first, so it is saved with it
            # and a retry after a crash gets this reply instead of evaluating again.
            ctx.remember_reply(reply)
            await save_workspace(ctx.sessions, service, tools, timeout)
        else:
            tools.unsaved = kept  # the rest is saved by the background flusher
        return reply

    async def interrupt(ctx: CommandContext, _p: Any) -> dict[str, Any]:
        tools = service.existing(await session_key(ctx))
        stopped = tools is not None and tools.stop("interrupted", service.config.interrupt_grace)
        return {"interrupted": stopped, "was_running": stopped}

    async def inspect(ctx: CommandContext, p: InspectParams) -> dict[str, Any]:
        tools = await session_tools(ctx, service)
        if (p.object_ref is None) == (p.code is None):
            raise InvalidRequest(
                "'inspect' needs exactly one of 'object_ref' or 'code'",
                {"fields": ["object_ref", "code"]},
            )
        path = p.path or []
        if not all(isinstance(s, str | int) and not isinstance(s, bool) for s in path):
            raise InvalidRequest(
                "field 'path' must be an array of field names and 1-based indices",
                {"field": "path"},
            )
        timeout = _timeout(ctx, p.timeout_ms)
        if p.object_ref is not None:
            try:
                obj = tools.registry.lookup(p.object_ref)
            except KeyError:
                raise ObjectNotFound(
                    f"no object {p.object_ref!r} in this session (never registered, or "
                    "dropped from the bounded registry); evaluate it again",
                    {"object_ref": p.object_ref},
                ) from None
        else:
            assert p.code is not None
            try:
                done = await run_evaluation(service, tools, p.code, "print", timeout)
            finally:
                await commit_image(service)
            obj = tools.registry.lookup(done["object_ref"])

        def look(token: Any) -> dict[str, Any]:
            # Printing fields sends printString/printOn: (user code): run it like a doit.
            with image.activated(token, tools.workspace):
                target = navigate(obj, path, view, tools.registry)
                return inspect_object(target, view, lambda o: summary(image, o),
                                      tools.registry, p.offset, p.limit)

        def view(o: Any) -> engine_port.ObjectView:
            return engine_port.object_view(image, o)

        async with tools.lock:
            result, stop_reason = await run_in_worker(service, tools, look, timeout)
        if result is None or stop_reason is not None:
            raise Timeout(
                f"inspecting took longer than {timeout * 1000:.0f} ms (a printOn: that does "
                "not finish?) and was stopped", {"timeout_ms": round(timeout * 1000)},
            )
        tools.inspector.visit(result["object_ref"])
        result["inspector_state"] = tools.inspector.snapshot()
        # Inspector state and the references it made are saved by the background flusher.
        tools.unsaved = not tools.session_id.startswith(IMPLICIT_PREFIX)
        return result

    async def list_classes(_ctx: CommandContext, p: ListClassesParams) -> dict[str, Any]:
        return list_classes_page(
            reflection.class_entries(image), p.pattern, p.package, p.offset, p.limit
        )

    async def browse_class(_ctx: CommandContext, p: BrowseClassParams) -> dict[str, Any]:
        found = reflection.describe_class(image, p.class_name, p.include_source)
        if found is None:
            raise _no_class(p.class_name)
        result = dict(found)
        if not p.include_methods:
            result.pop("instance_methods", None)
            result.pop("class_methods", None)
        return result

    async def get_method(_ctx: CommandContext, p: GetMethodParams) -> dict[str, Any]:
        if reflection.find_class(image, p.class_name) is None:
            raise _no_class(p.class_name)
        found = reflection.describe_method(image, p.class_name, p.selector, p.is_class_method)
        if found is None:
            side = f"{p.class_name} class" if p.is_class_method else p.class_name
            raise MethodNotFound(
                f"{side} has no method #{p.selector} (it may be inherited: browse the "
                "superclass chain, or use find_implementors)",
                {"class_name": p.class_name, "selector": p.selector},
            )
        return {"method": found}

    async def find_senders(_ctx: CommandContext, p: SelectorParams) -> dict[str, Any]:
        methods = await run_on_pool(
            service.pool, reflection.senders, image, p.selector, service.send_index
        )
        return {"selector": p.selector, "methods": methods, "count": len(methods)}

    async def find_implementors(_ctx: CommandContext, p: SelectorParams) -> dict[str, Any]:
        methods = reflection.implementors(image, p.selector)
        return {"selector": p.selector, "methods": methods, "count": len(methods)}

    async def define_class(ctx: CommandContext, p: DefineClassParams) -> dict[str, Any]:
        tools = await session_tools(ctx, service)
        timeout = _timeout(ctx, None)
        async with tools.lock:
            done, stop_reason = await run_in_worker(
                service, tools, lambda token: engine_port.define_class(image, p.definition, token),
                timeout,
            )
        await commit_image(service)
        if done is None or stop_reason is not None:
            raise Timeout(f"the class definition did not finish within {timeout:.0f} s",
                          {"timeout_ms": round(timeout * 1000)})
        return done

    async def compile_method(ctx: CommandContext, p: CompileMethodParams) -> dict[str, Any]:
        await session_key(ctx)
        if reflection.find_class(image, p.class_name) is None:
            raise _no_class(p.class_name)
        done = await run_on_pool(
            service.pool, engine_port.compile_method, image, p.class_name, p.source,
            p.category, p.is_class_method,
        )
        await commit_image(service)
        return done

    async def complete_(ctx: CommandContext, p: CompleteParams) -> dict[str, Any]:
        tools = await session_tools(ctx, service)
        limit = service.config.completion_limit if p.limit is None else max(0, min(p.limit, 500))
        found = complete(p.code, p.cursor, ImageNames(image, tools.workspace), limit)
        return {"prefix": found.prefix,
                "completions": [{"text": c.text, "kind": c.kind} for c in found.completions]}

    async def get_transcript(ctx: CommandContext, p: TranscriptParams) -> dict[str, Any]:
        tools = await session_tools(ctx, service)
        page = tools.transcript.since(p.since, p.limit)
        return {"entries": [{"seq": e.seq, "text": e.text} for e in page.entries],
                "next": page.next, "missed": page.missed}

    async def get_history(ctx: CommandContext, p: HistoryParams) -> dict[str, Any]:
        tools = await session_tools(ctx, service)
        return {"entries": tools.history.latest_json(p.limit)}

    return {
        "evaluate": (evaluate, EvaluateParams),
        "interrupt": (interrupt, None),
        "inspect": (inspect, InspectParams),
        "list_classes": (list_classes, ListClassesParams),
        "browse_class": (browse_class, BrowseClassParams),
        "get_method": (get_method, GetMethodParams),
        "find_senders": (find_senders, SelectorParams),
        "find_implementors": (find_implementors, SelectorParams),
        "define_class": (define_class, DefineClassParams),
        "compile_method": (compile_method, CompileMethodParams),
        "complete": (complete_, CompleteParams),
        "get_transcript": (get_transcript, TranscriptParams),
        "get_history": (get_history, HistoryParams),
    }


def _no_class(name: str) -> ClassNotFound:
    return ClassNotFound(
        f"no class named {name!r} in the image (names are case-sensitive; list_classes "
        "with a pattern finds them)",
        {"class_name": name},
    )


#: Tool commands that change nothing: their replies are not kept for retries (a retry just
#: runs them again), so polling them does not push real replies out of the reply buffer.
READ_ONLY_COMMANDS = frozenset({
    "list_classes", "browse_class", "get_method", "find_senders", "find_implementors",
    "complete", "get_transcript", "get_history",
})


def register_tool_commands(registry: CommandRegistry, service: ToolsService) -> None:
    """Register every tool command on `registry`, bound to `service`."""
    for name, (handler, params) in build_handlers(service).items():
        registry.register(
            name, handler, params=params, inline=(name == "interrupt"),
            keeps_reply=name not in READ_ONLY_COMMANDS, description=f"tools: {name}",
        )


def install_tools(registry: CommandRegistry, config: Any) -> ToolsService:
    """Boot the shared image, build the service and register the commands (server start)."""
    service = ToolsService(Image.boot(), ToolsConfig.from_server_config(config))
    register_tool_commands(registry, service)
    return service

