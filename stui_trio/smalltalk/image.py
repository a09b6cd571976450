"""The shared image and its evaluation entry point: what the tools layer calls.

    image = Image.boot(limits=EngineLimits())     # kernel loaded, ready
    ws = image.new_workspace()                    # per session: bindings + Transcript
    outcome = image.evaluate(ws, "3 + 4", token)  # EvalOutcome (never raises)

`evaluate` parses and compiles the doit (or takes it from `doit_cache`: the same text is
compiled once while the set of global names stays the same), runs it in the calling thread
(the tools run it in a worker thread, so several workspaces evaluate concurrently) with that
thread's EvalContext set (token, workspace, handler stack), and turns every way out into an outcome:
value and printString, a syntax error, an unhandled Smalltalk error with its stack, an
interruption or timeout, or a Python-level failure (recursion too deep, out of memory, an
internal error) reported as a Smalltalk-style error. Nothing escapes as a Python exception.

Recursion: Python's recursion limit is process-wide; `boot` raises it to
`limits.recursion_limit` (never lowers it). We do not create threads with bigger stacks (the
caller owns threading through Trio); 12 000 frames fit the default 8 MiB thread stacks, and
deeper Smalltalk recursion fails cleanly with a RecursionTooDeep error instead of growing the
stack as Pharo would.

Image changes (class definitions, method compilation and removal) are serialized by
`self.lock` and reported to `on_change` listeners as `ImageChange` records, which storage logs
and replays at start with `apply_change`.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Collection, Iterator
from typing import Any

from stui_trio.smalltalk import bootstrap
from stui_trio.smalltalk.ast import position_of
from stui_trio.smalltalk.compiler import CompileError, DoitCache, compile_method, prepare_doit
from stui_trio.smalltalk.parser import SmalltalkSyntaxError, parse_doit
from stui_trio.smalltalk.primitives import register_all
from stui_trio.smalltalk.runtime.control import (
    EvalContext,
    HandlerResume,
    HandlerRetry,
    HandlerUnwind,
    Interrupted,
    NonLocalReturn,
    UnhandledError,
)
from stui_trio.smalltalk.runtime.image import ImageCore
from stui_trio.smalltalk.runtime.objects import STClass, STString
from stui_trio.smalltalk.values import (
    EngineLimits,
    EvalOutcome,
    Frame,
    ImageChange,
    InterruptToken,
    Workspace,
)

_SIGNAL_SELECTORS = {"signal", "signal:", "defaultAction", "pass", "outer", "signalFor:",
                     "doesNotUnderstand:", "error:", "primitiveFailed", "subclassResponsibility",
                     "shouldNotImplement"}


class Image(ImageCore):
    def __init__(self, limits: EngineLimits) -> None:
        super().__init__()
        self.limits = limits
        self.listeners: list[Callable[[ImageChange], None]] = []
        self.boot_seconds = 0.0
        self.kernel_methods = 0
        # Classes and methods loaded at boot are shared by every session: sessions may add
        # methods to kernel classes, but not redefine the classes or replace their methods.
        self.kernel_classes: frozenset[str] = frozenset()
        self.kernel_selectors: frozenset[tuple[int, str]] = frozenset()
        # re-running a doit text skips parse and compile (see compiler/doit_cache.py)
        self.doit_cache = DoitCache()

    @classmethod
    def boot(cls, limits: EngineLimits | None = None) -> Image:
        t0 = time.perf_counter()
        image = cls(limits or EngineLimits())
        if sys.getrecursionlimit() < image.limits.recursion_limit:
            sys.setrecursionlimit(image.limits.recursion_limit)
        bootstrap.bootstrap_metaclasses(image)
        register_all(image, image.primitives, image.limits)
        image.kernel_methods = bootstrap.load_kernel(image)
        image.globals["Transcript"] = image.send(image.globals["TranscriptStream"], "basicNew")
        image.globals["Smalltalk"] = image.send(image.globals["SmalltalkImage"], "basicNew")
        image.kernel_classes = frozenset(image.globals)
        image.kernel_selectors = frozenset(
            (id(side), sel) for c in image.all_classes for side in (c, c.cls)
            for sel in side.methods)
        image.boot_seconds = time.perf_counter() - t0
        return image

    # ---- workspaces and evaluation -------------------------------------------------------
    def new_workspace(self) -> Workspace:
        return Workspace()

    def evaluate(self, workspace: Workspace, source: str,
                 token: InterruptToken | None = None) -> EvalOutcome:
        prepared = self.doit_cache.get(source, self.names_version())
        if prepared is None:
            try:
                prepared = prepare_doit(self, parse_doit(source))
            except SmalltalkSyntaxError as e:
                return EvalOutcome("syntax", error_class="SyntaxError", message_text=e.message,
                                   line=e.line, column=e.column, expected=e.expected)
            except CompileError as e:
                line, column = position_of(source, e.offset)
                return EvalOutcome("syntax", error_class="SyntaxError", message_text=e.message,
                                   line=line, column=column, expected="")
            self.doit_cache.put(source, prepared)
        fn = prepared.instantiate(self.literal, workspace.bindings)
        token = token or InterruptToken()
        return self.run(workspace, token, fn, prepared.assigned)

    @contextlib.contextmanager
    def activated(self, token: InterruptToken,
                  workspace: Workspace | None = None) -> Iterator[EvalContext]:
        """Evaluate in this thread for `workspace` under `token` until the block ends.

        `run` uses it for every doit; the tools use it around their own sends (a field's
        printString, `associations`...), so a runaway `printOn:` stops at the token's interrupt
        like any evaluation."""
        ctx = EvalContext(token, workspace)
        previous = getattr(self._tls, "ctx", None)
        self.set_ctx(ctx)
        with self.lock:
            self.active_tokens.add(token)
        token.attach(self.poll_flag)
        try:
            yield ctx
        finally:
            token.detach(self.poll_flag)
            with self.lock:
                self.active_tokens.discard(token)
                self.poll_flag[0] = any(t.is_set for t in self.active_tokens)
            self.set_ctx(previous)

    def run(self, workspace: Workspace, token: InterruptToken, fn: Any,
            assigned: Collection[str]) -> EvalOutcome:
        with self.activated(token, workspace):
            mark = workspace.transcript.mark()
            try:
                if token.is_set:
                    raise Interrupted(token.reason)
                value = fn(None)
                printed = self._print(value, "printString")
                changed = tuple(sorted(n for n in assigned if n in workspace.bindings))
                return EvalOutcome("success", value=value, print_string=printed,
                                   class_name=self.class_name_of(value), bindings_changed=changed,
                                   transcript_output=workspace.transcript.since(mark))
            except UnhandledError as u:
                return self._error_outcome(u.exc, u.frames, workspace, mark)
            except Interrupted as i:
                kind = "timeout" if i.reason == "timeout" else "interrupted"
                return EvalOutcome(kind, error_class="Interrupted" if kind == "interrupted"
                                   else "Timeout", message_text=f"evaluation {kind}",
                                   transcript_output=workspace.transcript.since(mark))
            except RecursionError:
                return EvalOutcome("error", error_class="RecursionTooDeep", message_text=(
                                   "Maximum call depth exceeded (unbounded recursion?)"),
                                   transcript_output=workspace.transcript.since(mark))
            except MemoryError:
                return EvalOutcome("error", error_class="OutOfMemory",
                                   message_text="Not enough memory for this evaluation",
                                   transcript_output=workspace.transcript.since(mark))
            except NonLocalReturn:
                return EvalOutcome("error", error_class="BlockCannotReturn",
                                   message_text="BlockCannotReturn")
            except (HandlerUnwind, HandlerRetry, HandlerResume):
                return EvalOutcome("error", error_class="Error",
                                   message_text="exception handler used outside its extent")
            except Exception as e:  # an engine bug must not take the server down
                return EvalOutcome("error", error_class="InternalError",
                                   message_text=f"{type(e).__name__}: {e}")

    def _error_outcome(self, exc: Any, frames: tuple, workspace: Workspace,
                       mark: int) -> EvalOutcome:
        try:
            text = self.send(exc, "messageText")
            text = text.s if isinstance(text, STString) else self.print_string(text)
        except BaseException:
            text = ""
        frames = list(frames)
        while frames and frames[0][1] in _SIGNAL_SELECTORS:
            frames.pop(0)
        stack = tuple(Frame(c, s, ln) for c, s, ln in frames)
        return EvalOutcome("error", value=exc, error_class=self.class_of(exc).name,
                           message_text=text, stack=stack,
                           transcript_output=workspace.transcript.since(mark))

    # ---- printing ------------------------------------------------------------------------
    def _print(self, obj: Any, selector: str) -> str:
        try:
            s = self.send(obj, selector)
            text = s.s if isinstance(s, STString) else repr(s)
        except UnhandledError as u:
            text = f"{self.class_name_of(obj)} (error printing: {self.class_of(u.exc).name})"
        if len(text) > self.limits.max_print_chars:
            text = text[: self.limits.max_print_chars] + "...etc..."
        return text

    def _outside(self, fn: Callable[[], str]) -> str:
        if getattr(self._tls, "ctx", None) is not None and self._tls.ctx.token is not None:
            return fn()
        ctx = EvalContext(InterruptToken(), None)
        self.set_ctx(ctx)
        try:
            return fn()
        except BaseException as e:  # printing must never raise into the tools
            return f"<error printing: {type(e).__name__}>"
        finally:
            self.set_ctx(None)

    def print_string(self, obj: Any) -> str:
        return self._outside(lambda: self._print(obj, "printString"))

    def display_string(self, obj: Any) -> str:
        return self._outside(lambda: self._print(obj, "displayString"))

    def class_name_of(self, obj: Any) -> str:
        return self.class_of(obj).display_name()

    # ---- image changes -------------------------------------------------------------------
    def on_change(self, callback: Callable[[ImageChange], None]) -> None:
        self.listeners.append(callback)

    def notify(self, change: ImageChange) -> None:
        for cb in list(self.listeners):
            cb(change)

    def install_method(self, cls: STClass, source: str, category: str) -> Any:
        """Compile and install; raises SmalltalkSyntaxError/CompileError on bad source."""
        with self.lock:
            cm = compile_method(self, cls, source, category)
            if self._overrides_kernel(cls, cm.selector):
                raise CompileError(f"Cannot replace the kernel method "
                                   f"{cls.display_name()}>>{cm.selector}", 0)
            cls.methods[cm.selector] = cm
            self.invalidate()
        base = cls.meta_of or cls
        self.notify(ImageChange("compile_method", base.name, cm.selector, source, category,
                                cls.meta_of is not None))
        return cm

    def _overrides_kernel(self, cls: STClass, selector: str) -> bool:
        """Would installing `selector` in kernel class `cls` change a kernel behaviour?"""
        if (cls.meta_of or cls).name not in self.kernel_classes:
            return False
        c: STClass | None = cls
        while c is not None:
            if (id(c), selector) in self.kernel_selectors:
                return True
            c = c.superclass
        return False

    def remove_method(self, cls: STClass, selector: str) -> bool:
        if (id(cls), selector) in self.kernel_selectors:
            return False
        with self.lock:
            found = cls.methods.pop(selector, None) is not None
            self.invalidate()
        if found:
            base = cls.meta_of or cls
            self.notify(ImageChange("remove_method", base.name, selector,
                                    meta=cls.meta_of is not None))
        return found

    def recompile_class(self, cls: STClass) -> None:
        for c in (cls, cls.cls):
            for sel, cm in list(c.methods.items()):
                # on failure keep the old code (its slots read by index may be stale)
                with contextlib.suppress(SmalltalkSyntaxError, CompileError):
                    c.methods[sel] = compile_method(self, c, cm.source, cm.category)
        self.invalidate()

    def apply_change(self, change: ImageChange) -> None:
        """Replay a logged change (storage calls this at start)."""
        if change.kind == "define_class":
            ws = self.new_workspace()
            self.evaluate(ws, change.source)
            return
        cls = self.globals.get(change.class_name)
        if not isinstance(cls, STClass):
            return
        target = cls.cls if change.meta else cls
        if change.kind == "compile_method":
            self.install_method(target, change.source, change.category)
        elif change.kind == "remove_method":
            self.remove_method(target, change.selector)
        elif change.kind == "class_comment":
            cls.comment = change.source
