"""Latency percentiles: the numbers every report row is made of."""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class LatencySummary:
    """Percentiles of one command's latencies in one step, in microseconds."""

    count: int
    p50_us: float
    p90_us: float
    p99_us: float
    max_us: float
    mean_us: float

    @classmethod
    def of(cls, samples_us: Sequence[float]) -> LatencySummary:
        if not samples_us:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ordered = sorted(samples_us)
        return cls(
            count=len(ordered),
            p50_us=percentile(ordered, 50),
            p90_us=percentile(ordered, 90),
            p99_us=percentile(ordered, 99),
            max_us=ordered[-1],
            mean_us=sum(ordered) / len(ordered),
        )


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted samples (no interpolation: a real sample)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return float(ordered[int(rank) - 1])
