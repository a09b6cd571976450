"""The session file format: one verifiable header line, then the payload bytes.

A session file is::

    #stui-ston <format_version> gen=<generation> len=<payload bytes> sha256=<hex digest>\\n
    <payload: STON text, opaque to this module>

(section 4 of ``notes/persistence.md``; STON has no comments, so the header is ours and is
stripped before anything parses the payload). :func:`decode_frame` verifies the header syntax,
that exactly ``len`` bytes follow, and the SHA-256 of those bytes *before* anyone parses them:
a mismatch is corruption (:class:`FrameError`), never a parse error.

The generation number increases by one with every save of a session; the loader compares
generations to prefer the newest valid file, and the writer uses them to notice that a backup
is newer than the current file.

Format versions: :data:`FORMAT_VERSION` is what this code writes. A file written by an older
version is upgraded on load by :class:`Migrations`, a chain of functions each taking the
payload of version *n* to version *n + 1*. A file from a newer version raises
:class:`UnsupportedFormat` (not corruption: the file is left alone).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping

import attrs

from .errors import FrameError, UnsupportedFormat

FORMAT_VERSION = 1
MAGIC = b"#stui-ston "
MAX_HEADER = 200  # bytes, newline included; a real header is about 110

_HEADER = re.compile(
    rb"#stui-ston ([0-9]{1,9}) gen=([0-9]{1,19}) len=([0-9]{1,19}) sha256=([0-9a-f]{64})\n"
)


@attrs.frozen
class Header:
    """The parsed header line of a session file."""

    version: int
    generation: int
    length: int
    sha256: str
    size: int  # bytes taken by the header line itself


@attrs.frozen
class Frame:
    """A verified file: its header values and the payload they vouch for."""

    version: int
    generation: int
    payload: bytes
    #: SHA-256 (hex) of the file's payload as its header vouches for it (kept through
    #: migrations: it names the file, not the upgraded payload).
    digest: str = attrs.field(default="", eq=False)


def encode_frame(payload: bytes, generation: int, version: int = FORMAT_VERSION) -> bytes:
    """The bytes of a session file holding ``payload`` as generation ``generation``."""
    digest = hashlib.sha256(payload).hexdigest()
    header = f"#stui-ston {version} gen={generation} len={len(payload)} sha256={digest}\n"
    return header.encode("ascii") + payload


def parse_header(data: bytes) -> Header:
    """Parse the header line at the start of ``data`` (which may be just a prefix)."""
    if not data.startswith(MAGIC):
        raise FrameError("not a stui session file (missing '#stui-ston' header)")
    end = data.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise FrameError("header line is truncated or too long")
    match = _HEADER.fullmatch(data[: end + 1])
    if match is None:
        raise FrameError("header line is malformed")
    version, generation, length = (int(g) for g in match.group(1, 2, 3))
    return Header(version, generation, length, match.group(4).decode("ascii"), end + 1)


def decode_frame(data: bytes) -> Frame:
    """Verify ``data`` (a whole file) and return its frame; raise :class:`FrameError` if bad."""
    header = parse_header(data)
    payload = data[header.size :]
    if len(payload) != header.length:
        kind = "truncated" if len(payload) < header.length else "has trailing bytes"
        raise FrameError(
            f"file {kind}: header says {header.length} payload bytes, found {len(payload)}"
        )
    if hashlib.sha256(payload).hexdigest() != header.sha256:
        raise FrameError("checksum mismatch: payload does not match its sha256")
    return Frame(header.version, header.generation, payload, header.sha256)


Migration = Callable[[bytes], bytes]


@attrs.frozen
class Migrations:
    """Upgrade functions between format versions: ``steps[n]`` takes version n to n + 1."""

    steps: Mapping[int, Migration] = attrs.field(factory=dict)
    current: int = FORMAT_VERSION

    def upgrade(self, frame: Frame) -> Frame:
        """Return ``frame`` with its payload upgraded to :attr:`current`."""
        if frame.version > self.current:
            raise UnsupportedFormat(
                f"file format version {frame.version} is newer than this server's "
                f"{self.current}; upgrade the server to read it"
            )
        version, payload = frame.version, frame.payload
        while version < self.current:
            step = self.steps.get(version)
            if step is None:
                raise UnsupportedFormat(f"no migration from format version {version}")
            payload = step(payload)
            version += 1
        return Frame(version, frame.generation, payload, frame.digest)
