"""STON (Smalltalk Object Notation) for stui_trio: a strict reader, a Pharo-compatible writer.

Stands on the standard library and attrs only; knows nothing of the Smalltalk engine.

- `loads(text)` / `load_bytes(data)`: STON text to the neutral value model (`model.py`).
- `dumps(value, pretty=..., ascii_only=...)`: the model back to text, byte-compatible with
  Pharo's STONWriter.
- `TagRegistry` / `TagCodec` (`mapping.py`): turn tagged objects into domain objects and back,
  keeping sharing and cycles; `pharo_registry()` (`pharo.py`) has Pharo's special tags.
- `isomorphic(a, b)` (`graphs.py`): compare two graphs up to identity (tests, store checks).

See /work/shared/notes/ston.md for the format, and each module's docstring for its rules.
"""

from stui_trio.storage.ston.errors import (
    StonError,
    StonMappingError,
    StonParseError,
    StonWriteError,
)
from stui_trio.storage.ston.graphs import explain_difference, isomorphic
from stui_trio.storage.ston.mapping import TagCodec, TagRegistry
from stui_trio.storage.ston.model import (
    Association,
    ScaledDecimal,
    StonMap,
    StonObject,
    Symbol,
    key_of,
)
from stui_trio.storage.ston.pharo import (
    Character,
    ClassRef,
    Date,
    DateAndTime,
    Point,
    Time,
    pharo_codecs,
    pharo_registry,
)
from stui_trio.storage.ston.reader import DEFAULT_MAX_DEPTH, load_bytes, loads
from stui_trio.storage.ston.writer import dumps

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "Association",
    "Character",
    "ClassRef",
    "Date",
    "DateAndTime",
    "Point",
    "ScaledDecimal",
    "StonError",
    "StonMap",
    "StonMappingError",
    "StonObject",
    "StonParseError",
    "StonWriteError",
    "Symbol",
    "TagCodec",
    "TagRegistry",
    "Time",
    "dumps",
    "explain_difference",
    "isomorphic",
    "key_of",
    "load_bytes",
    "loads",
    "pharo_codecs",
    "pharo_registry",
]
