"""The analytics agent over in-memory ports: a turn is summarised from its event log when its reply
goes out, counted once on its day, and the days add up to `aicc stats`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aicc.adapters.memory.analytics import MemoryAnalytics
from aicc.adapters.memory.eventlog import MemoryEventLog
from aicc.agents.analytics import analytics_recorded, last_days, record_reply, stats
from aicc.ports.bus import BusEvent
from contracts.common import Route
from contracts.events import AnalyticsRecorded, ServiceActionTaken
from tests.bus_events import START, bus_event, meta, turn


@pytest.fixture
def log() -> MemoryEventLog:
    return MemoryEventLog()


@pytest.fixture
def analytics() -> MemoryAnalytics:
    return MemoryAnalytics()


def logged_turn(log: MemoryEventLog, turn_id: str, **kwargs: object) -> BusEvent:
    """Log a whole turn; its ReplySent."""
    events = turn(turn_id, **kwargs)  # type: ignore[arg-type]
    log.append(events)
    return events[-1]


def test_a_reply_records_its_turn_from_the_event_log(log: MemoryEventLog, analytics: MemoryAnalytics) -> None:
    reply = logged_turn(log, "t-1", route=Route(kind="human", queue="service", priority="high"), latency_ms=180.0)
    record = record_reply(reply, log, analytics)
    assert record is not None and analytics.summary("t-1") == record
    assert (record.conversation_id, record.intent, record.sentiment) == ("conv-t-1", "warranty_inquiry", "neutral")
    assert (record.route_kind, record.route_queue, record.route_priority) == ("human", "service", "high")
    assert record.latency_ms == 180.0 and record.agent_latency_ms == {"intent": 40.0, "sentiment": 60.0}
    assert record.contributors == ["IntentDetected", "SentimentAnalyzed"]
    # The turn began a moment before midnight and was answered after it: it counts on its first day.
    assert record.day == "2026-11-30"
    assert analytics.daily_counters(["2026-11-30", "2026-12-01"]) == {
        "2026-11-30": {
            "turns": 1,
            "degraded": 0,
            "undelivered": 0,
            "escalations": 1,
            "queue_service": 1,
            "intent_warranty_inquiry": 1,
            "sentiment_neutral": 1,
            "latency_le_200": 1,
        },
        "2026-12-01": {},
    }


def test_a_duplicate_reply_counts_nothing(log: MemoryEventLog, analytics: MemoryAnalytics) -> None:
    reply = logged_turn(log, "t-1")
    assert record_reply(reply, log, analytics) is not None
    assert record_reply(reply, log, analytics) is None
    assert analytics.daily_counters(["2026-11-30"])["2026-11-30"]["turns"] == 1


def test_events_other_than_a_reply_record_nothing(log: MemoryEventLog, analytics: MemoryAnalytics) -> None:
    events = turn("t-1")
    log.append(events)
    assert all(record_reply(e, log, analytics) is None for e in events[:-1])
    assert analytics.summary("t-1") is None and analytics.daily_counters(["2026-11-30"]) == {"2026-11-30": {}}


def test_the_recorded_event_carries_the_record(log: MemoryEventLog, analytics: MemoryAnalytics) -> None:
    reply = logged_turn(log, "t-1", degraded=True)
    record = record_reply(reply, log, analytics)
    assert record is not None
    recorded = analytics_recorded(reply, record)
    assert isinstance(recorded, AnalyticsRecorded)
    assert (recorded.meta.turn_id, recorded.meta.producer, recorded.meta.causation_id) == ("t-1", "analytics", reply.id)
    assert recorded.intent == "warranty_inquiry" and recorded.sentiment == "neutral"
    assert recorded.route == Route() and recorded.degraded and recorded.latency_ms == 180.0
    assert recorded.agent_latency_ms == {"intent": 40.0, "sentiment": 60.0}


def test_stats_add_up_the_days_asked_for(log: MemoryEventLog, analytics: MemoryAnalytics) -> None:
    for turn_id, start, latency, degraded in (
        ("t-1", START, 120.0, False),
        ("t-2", START - timedelta(days=1), 900.0, True),
        ("t-3", START - timedelta(days=5), 50.0, False),
    ):
        record_reply(logged_turn(log, turn_id, start=start, latency_ms=latency, degraded=degraded), log, analytics)
    days = last_days(date(2026, 11, 30), 2)
    assert days == ["2026-11-30", "2026-11-29"]
    assert stats(analytics, days) == {
        "turns": 2,
        "intents": {"warranty_inquiry": 2},
        "sentiment": {"neutral": 2},
        "escalations": 0,
        "queues": {},
        "p50_ms": 125.0,
        "p95_ms": 1000.0,
        "degraded_share": 0.5,
        "undelivered": 0,
        "bookings": 0,
        "booking_kinds": {},
        "by_day": [
            {
                "day": "2026-11-29",
                "turns": 1,
                "sentiment": {"neutral": 1},
                "escalations": 0,
                "degraded_share": 1.0,
                "bookings": 0,
            },
            {
                "day": "2026-11-30",
                "turns": 1,
                "sentiment": {"neutral": 1},
                "escalations": 0,
                "degraded_share": 0.0,
                "bookings": 0,
            },
        ],
    }
    assert stats(analytics, last_days(date(2026, 12, 31), 1))["turns"] == 0


def test_a_booking_counts_from_the_reply_even_when_its_service_event_is_not_logged_yet(
    log: MemoryEventLog, analytics: MemoryAnalytics
) -> None:
    # Analytics' pollers run batches in parallel: the reply can be summarised before the batch that
    # holds the turn's ServiceActionTaken is logged. The reply itself says what was booked.
    record_reply(logged_turn(log, "t-1", booked="service"), log, analytics)
    figures = stats(analytics, ["2026-11-30"])
    assert figures["bookings"] == 1 and figures["booking_kinds"] == {"service": 1}


def test_a_turn_that_books_counts_as_a_booking_made(log: MemoryEventLog, analytics: MemoryAnalytics) -> None:
    def service(turn_id: str, action: str, kind: str) -> BusEvent:
        events = turn(turn_id)
        received = events[0]
        action_taken = bus_event(
            ServiceActionTaken(
                meta=meta(turn_id, "servicing", START + timedelta(milliseconds=70), received.id),
                action=action,  # type: ignore[arg-type]
                kind=kind,  # type: ignore[arg-type]
            )
        )
        log.append([*events[:-1], action_taken, events[-1]])
        return events[-1]

    for turn_id, action, kind in (
        ("t-1", "slots_offered", "service"),  # times offered: nothing booked yet
        ("t-2", "booked", "service"),
        ("t-3", "booked", "test_drive"),
        ("t-4", "rescheduled", "service"),  # moved, not a new booking
    ):
        record_reply(service(turn_id, action, kind), log, analytics)
    figures = stats(analytics, ["2026-11-30"])
    assert figures["bookings"] == 2 and figures["booking_kinds"] == {"service": 1, "test_drive": 1}
    assert figures["by_day"] == [
        {
            "day": "2026-11-30",
            "turns": 4,
            "sentiment": {"neutral": 4},
            "escalations": 0,
            "degraded_share": 0.0,
            "bookings": 2,
        }
    ]


def test_the_handler_logs_every_event_and_answers_a_reply_once(
    monkeypatch: pytest.MonkeyPatch, log: MemoryEventLog, analytics: MemoryAnalytics
) -> None:
    from handlers import analytics as handler

    monkeypatch.setattr(handler, "event_log", log)
    monkeypatch.setattr(handler, "analytics", analytics)
    events = turn("t-1")
    log.append(events)
    assert [handler.process(e) for e in events[:-1]] == [[], [], []]
    (recorded,) = handler.process(events[-1])
    assert isinstance(recorded, AnalyticsRecorded) and recorded.meta.turn_id == "t-1"
    assert handler.process(events[-1]) == []
    handler.metrics.clear_metrics()
