"""The session file header: round trip, every kind of damage detected, migrations."""

from __future__ import annotations

import pytest

from stui_trio.storage.errors import FrameError, UnsupportedFormat
from stui_trio.storage.framing import Frame, Migrations, decode_frame, encode_frame


def test_round_trip_and_header_text() -> None:
    data = encode_frame(b"Point{#x:1}", 7)
    assert data.startswith(b"#stui-ston 1 gen=7 len=11 sha256=")
    assert decode_frame(data) == Frame(1, 7, b"Point{#x:1}")
    assert decode_frame(encode_frame(b"", 1)).payload == b""


def test_every_truncation_and_every_bit_flip_is_detected() -> None:
    data = encode_frame(b"'hello' -> 42", 3)
    for cut in range(len(data)):
        with pytest.raises(FrameError):
            decode_frame(data[:cut])
    for i in range(len(data)):
        for bit in (0, 3, 7):
            damaged = bytearray(data)
            damaged[i] ^= 1 << bit
            try:
                frame = decode_frame(bytes(damaged))
            except FrameError:
                continue
            # a flip inside a header digit may still parse; it must not pass as the original
            assert frame != decode_frame(data), (i, bit)


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"\xff\xfe\x00header\n", b"#stui-ston 1 gen=x len=1 sha256=00\nx"],
)
def test_garbage_is_a_frame_error(data: bytes) -> None:
    with pytest.raises(FrameError):
        decode_frame(data)


def test_trailing_bytes_are_corruption() -> None:
    with pytest.raises(FrameError, match="trailing"):
        decode_frame(encode_frame(b"abc", 1) + b"junk")


def test_migrations_chain_and_future_versions() -> None:
    migrations = Migrations({1: lambda p: p + b" v2", 2: lambda p: p + b" v3"}, current=3)
    old = decode_frame(encode_frame(b"data", 5, version=1))
    assert migrations.upgrade(old) == Frame(3, 5, b"data v2 v3")
    with pytest.raises(UnsupportedFormat, match="newer"):
        migrations.upgrade(Frame(4, 1, b""))
    with pytest.raises(UnsupportedFormat, match="no migration"):
        Migrations({}, current=2).upgrade(old)
