"""Token buckets: a burst, then a steady rate; a refused frame costs no bucket anything."""

from __future__ import annotations

import pytest

from aicc.embedded.throttle import FrameLimits, RateLimit, TokenBucket, take_from_all


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(RateLimit(rate_per_s=5.0, burst=20), clock)
    assert [bucket.take() for _ in range(21)] == [True] * 20 + [False]
    clock.now += 1.0
    assert [bucket.take() for _ in range(6)] == [True] * 5 + [False]
    clock.now += 3600.0  # an idle hour refills to the burst, not beyond
    assert sum(bucket.take() for _ in range(100)) == 20


def test_a_frame_refused_by_one_bucket_takes_nothing_from_the_other() -> None:
    clock = Clock()
    connection = TokenBucket(RateLimit(rate_per_s=5.0, burst=10), clock)
    user = TokenBucket(RateLimit(rate_per_s=1.0, burst=2), clock)
    assert [take_from_all(connection, user) for _ in range(5)] == [True, True, False, False, False]
    other_socket_of_another_user = TokenBucket(RateLimit(rate_per_s=1.0, burst=2), clock)
    assert take_from_all(connection, other_socket_of_another_user)
    assert sum(connection.take() for _ in range(100)) == 7  # 10 - the 3 frames let through


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert FrameLimits.from_env() == FrameLimits()
    monkeypatch.setenv("AICC_WS_CONNECTION_RATE", "2")
    monkeypatch.setenv("AICC_WS_USER_BURST", "7")
    monkeypatch.setenv("AICC_WS_IN_FLIGHT", "1")
    limits = FrameLimits.from_env()
    assert limits.per_connection == RateLimit(2.0, FrameLimits().per_connection.burst)
    assert limits.per_user == RateLimit(FrameLimits().per_user.rate_per_s, 7)
    assert limits.in_flight_per_connection == 1
