"""Reply timestamps: the fast paths (cached per millisecond / per second) write exactly what
the plain ``datetime`` formatting writes."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from stui_trio.protocol.messages import iso_from_epoch, utc_timestamp

ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def reference(moment: datetime) -> str:
    """The formatting the fast paths replace."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def test_now_is_iso_with_milliseconds_and_between_two_clock_reads() -> None:
    before = reference(datetime.now(UTC))
    stamp = utc_timestamp()
    after = reference(datetime.now(UTC))
    assert ISO_MS.fullmatch(stamp)
    assert before <= stamp <= after  # same width: text order is time order


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_iso_from_epoch_matches_datetime(seconds: float) -> None:
    assert iso_from_epoch(seconds) == reference(datetime.fromtimestamp(seconds, UTC))


@given(st.integers(min_value=0, max_value=4_102_444_800_000),
       st.sampled_from([0.0, 0.0004, 0.0005, 0.0009995, 0.9999995, 0.9999994]))
def test_iso_from_epoch_matches_datetime_near_rounding_edges(millis: int, nudge: float) -> None:
    seconds = millis / 1000 + nudge
    assert iso_from_epoch(seconds) == reference(datetime.fromtimestamp(seconds, UTC))


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_utc_timestamp_of_a_moment_matches_datetime(naive: datetime, offset_min: int) -> None:
    aware = naive.replace(tzinfo=timezone(timedelta(minutes=offset_min)))
    assert utc_timestamp(aware) == reference(aware)


def test_consecutive_calls_never_go_backwards() -> None:
    stamps = [utc_timestamp() for _ in range(2000)]
    assert stamps == sorted(stamps)
    time.sleep(0.002)
    assert utc_timestamp() > stamps[-1]
