"""The analytics port: a turn's summary is recorded once and counted once; days' counters add up."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from aicc.adapters.memory.clock import Clock
from aicc.ports.analytics import RETENTION_S, Analytics, TurnRecord
from tests.contract.conftest import BACKENDS


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def analytics(request: pytest.FixtureRequest, clock: Clock) -> Analytics:
    if request.param == "memory":
        from aicc.adapters.memory.analytics import MemoryAnalytics

        return MemoryAnalytics(clock=clock)
    from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics

    return DynamoDBAnalytics(request.getfixturevalue("moto_tables"), "aicc-analytics", now=clock.now)


def record(turn_id: str, day: str = "2026-11-30", **fields: object) -> TurnRecord:
    return TurnRecord(turn_id=turn_id, conversation_id="conv-1", day=day, **fields)  # type: ignore[arg-type]


def test_a_turn_is_recorded_and_its_counters_added_to_its_day(analytics: Analytics) -> None:
    full = record(
        "t-1",
        intent="warranty_inquiry",
        sentiment="neutral",
        route_kind="human",
        route_queue="service",
        route_priority="high",
        latency_ms=180.5,
        agent_latency_ms={"intent": 40.0},
        contributors=["IntentDetected"],
        degraded=True,
        delivered=False,
    )
    assert analytics.record_turn(full, {"turns": 1, "intent_warranty_inquiry": 1})
    assert analytics.record_turn(record("t-2"), {"turns": 1, "degraded": 0})
    assert analytics.summary("t-1") == full
    assert analytics.daily_counters(["2026-11-30"]) == {
        "2026-11-30": {"turns": 2, "intent_warranty_inquiry": 1, "degraded": 0}
    }


def test_a_turn_recorded_twice_counts_once_and_keeps_its_first_summary(analytics: Analytics) -> None:
    assert analytics.record_turn(record("t-1", intent="greeting"), {"turns": 1})
    assert not analytics.record_turn(record("t-1", intent="other"), {"turns": 1, "extra": 5})
    assert analytics.summary("t-1") == record("t-1", intent="greeting")
    assert analytics.daily_counters(["2026-11-30"]) == {"2026-11-30": {"turns": 1}}


def test_concurrent_deliveries_of_one_turn_count_once(analytics: Analytics) -> None:
    outcomes: list[bool] = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(analytics.record_turn(record("t-1"), {"turns": 1})))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 5 + [True]
    assert analytics.daily_counters(["2026-11-30"])["2026-11-30"] == {"turns": 1}


def test_days_are_counted_apart_and_a_day_without_turns_is_empty(analytics: Analytics) -> None:
    analytics.record_turn(record("t-1", day="2026-11-29"), {"turns": 1})
    analytics.record_turn(record("t-2", day="2026-11-30"), {"turns": 1, "escalations": 1})
    assert analytics.daily_counters(["2026-11-30", "2026-11-29", "2026-11-28"]) == {
        "2026-11-30": {"turns": 1, "escalations": 1},
        "2026-11-29": {"turns": 1},
        "2026-11-28": {},
    }


def test_the_record_is_stored_as_it_was_when_recorded(analytics: Analytics) -> None:
    kept = record("t-1", contributors=["IntentDetected"])
    analytics.record_turn(kept, {"turns": 1})
    kept.contributors.append("changed later")
    assert analytics.summary("t-1") == dataclasses.replace(kept, contributors=["IntentDetected"])


def test_a_summary_expires_but_the_days_counters_stay(analytics: Analytics, clock: Clock) -> None:
    analytics.record_turn(record("t-1"), {"turns": 1})
    clock.advance(RETENTION_S + 1)
    assert analytics.summary("t-1") is None
    assert analytics.summary("t-unknown") is None
    assert analytics.daily_counters(["2026-11-30"]) == {"2026-11-30": {"turns": 1}}
    # An expired summary no longer stands in the way: a late redelivery is a new turn to count.
    assert analytics.record_turn(record("t-1"), {"turns": 1})
    assert analytics.daily_counters(["2026-11-30"]) == {"2026-11-30": {"turns": 2}}
