"""Per-connection and per-user fairness for incoming frames: token buckets and a bound on work in flight.

API Gateway throttles with token buckets too (a burst, refilled at a steady rate; account-level
defaults 10,000 requests per second with a burst of 5,000, lowered per stage or route). Those limits
protect the service as a whole; here one socket pipelining frames must not delay everybody else's
turns, so each connection and each user (all their sockets together) has a bucket of its own. The
limits are far above what a person typing, or a client retrying, ever sends: a frame past them is
answered with an `error` frame `throttled` and is not handled (docs/protocol.md).

Environment (read when the gateway is built): AICC_WS_CONNECTION_RATE / AICC_WS_CONNECTION_BURST,
AICC_WS_USER_RATE / AICC_WS_USER_BURST (frames per second / bucket size), AICC_WS_IN_FLIGHT (frames of
one connection handled at once; the gateway reads no further frames of that socket meanwhile).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    rate_per_s: float
    burst: int


@dataclass(frozen=True)
class FrameLimits:
    # A person sends a message every few seconds; a client resending its unanswered messages after a
    # reconnect sends a handful at once. 20 at once and 5 a second are never reached by either.
    per_connection: RateLimit = RateLimit(rate_per_s=5.0, burst=20)
    # Every socket of one user together: several tabs, or `aicc bench` playing many customers as
    # the same demo users, stay well inside it.
    per_user: RateLimit = RateLimit(rate_per_s=20.0, burst=100)
    # A chat client has one message in flight, two while it retries.
    in_flight_per_connection: int = 4

    @classmethod
    def from_env(cls) -> FrameLimits:
        default = cls()

        def limit(name: str, fallback: RateLimit) -> RateLimit:
            rate = float(os.environ.get(f"AICC_WS_{name}_RATE", fallback.rate_per_s))
            burst = int(os.environ.get(f"AICC_WS_{name}_BURST", fallback.burst))
            return RateLimit(rate, burst)

        return cls(
            per_connection=limit("CONNECTION", default.per_connection),
            per_user=limit("USER", default.per_user),
            in_flight_per_connection=int(os.environ.get("AICC_WS_IN_FLIGHT", default.in_flight_per_connection)),
        )


class TokenBucket:
    """`burst` tokens to start with, refilled at `rate_per_s` up to `burst`; a frame takes one."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._tokens = float(limit.burst)
        self._updated = clock()

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(float(self.limit.burst), self._tokens + (now - self._updated) * self.limit.rate_per_s)
        self._updated = now
        return self._tokens

    @property
    def full(self) -> bool:
        return self._refill() >= self.limit.burst

    def take(self) -> bool:
        return take_from_all(self)

    def _spend(self) -> None:
        self._tokens -= 1.0


def take_from_all(*buckets: TokenBucket) -> bool:
    """One token from each bucket, or none from any when one of them is empty (a refused frame
    costs nothing, so the other limit is not drained by frames it did not let through)."""
    if any(bucket._refill() < 1.0 for bucket in buckets):
        return False
    for bucket in buckets:
        bucket._spend()
    return True
