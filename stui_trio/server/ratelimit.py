"""A token bucket per client: ``rate`` requests/second sustained, ``burst`` at once.

Time comes from the caller (``trio.current_time()``), so the bucket is a plain value with no
clock of its own. ``rate == 0`` means unlimited.
"""

from __future__ import annotations

import attrs


@attrs.define
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    stamp: float

    @classmethod
    def full(cls, rate: float, burst: float, now: float) -> TokenBucket:
        return cls(rate=rate, burst=burst, tokens=burst, stamp=now)

    def take(self, now: float) -> bool:
        """Take one token if there is one; False means the request is over the rate."""
        if self.rate <= 0:
            return True
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def is_full(self, now: float) -> bool:
        return self.rate <= 0 or self.tokens + (now - self.stamp) * self.rate >= self.burst
