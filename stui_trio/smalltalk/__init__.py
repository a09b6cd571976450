"""The Smalltalk engine: a Pharo-flavoured Smalltalk compiled to Python, shared by all sessions.

The public API (everything else in this package is internal):

    Image.boot(limits=EngineLimits()) -> Image        load the kernel (about 0.2 s)
    image.new_workspace() -> Workspace                bindings dict + own Transcript (drain())
    image.evaluate(workspace, source, token=None) -> EvalOutcome
        success: kind "success", value, print_string, class_name, bindings_changed,
                 transcript_output
        failure: kind "syntax" | "error" | "interrupted" | "timeout", error_class,
                 message_text, stack (Frame(class_name, selector, line)...), and for syntax
                 errors line, column, expected
    image.print_string(obj) / image.display_string(obj) / image.class_name_of(obj) -> str
    with image.activated(token, workspace): ...       tool code's own sends, under `token`
    image.on_change(callback)                         ImageChange records for storage
    image.apply_change(change)                        replay a logged change
    InterruptToken().interrupt(reason)                thread-safe; reason "interrupted"/"timeout"
    stui_trio.smalltalk.reflection                    browsing, inspecting, defining classes

How it fits: `parser/` builds the AST (`ast.py`), `compiler/` turns it into Python functions,
`runtime/` holds the object model, sends and exception machinery, `primitives/` the Python
primitives and `kernel/*.st` the kernel library in Smalltalk source (loaded by `bootstrap.py`).
"""

from __future__ import annotations

from stui_trio.smalltalk.image import Image
from stui_trio.smalltalk.values import (
    EngineLimits,
    EvalOutcome,
    Frame,
    ImageChange,
    InterruptToken,
    TranscriptSink,
    Workspace,
)

__all__ = [
    "EngineLimits",
    "EvalOutcome",
    "Frame",
    "Image",
    "ImageChange",
    "InterruptToken",
    "TranscriptSink",
    "Workspace",
]
