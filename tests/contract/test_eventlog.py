"""The event log port: a turn's events in order, logged once however often they are delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aicc.adapters.memory.clock import Clock
from aicc.ports.eventlog import RETENTION_S, EventLog
from tests.bus_events import START, message, turn
from tests.contract.conftest import BACKENDS


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def log(request: pytest.FixtureRequest, clock: Clock) -> EventLog:
    if request.param == "memory":
        from aicc.adapters.memory.eventlog import MemoryEventLog

        return MemoryEventLog(clock=clock)
    from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog

    return DynamoDBEventLog(request.getfixturevalue("moto_tables"), "aicc-analytics", now=clock.now)


def test_a_turn_reads_back_oldest_first_whatever_the_order_of_writing(log: EventLog) -> None:
    events = turn("t-1")
    log.append(reversed(events[2:]))
    log.append(events[:2])
    read = log.turn("t-1")
    assert [e.event_id for e in read] == [e.id for e in events]
    first = read[0]
    assert (first.source, first.detail_type, first.producer, first.causation_id) == (
        "aicc.ingress",
        "ConversationReceived",
        "ingress",
        "ws-request",
    )
    assert first.occurred_at == events[0].meta.occurred_at
    assert first.detail == events[0].detail.model_dump(mode="json")


def test_turns_are_kept_apart_and_an_unknown_turn_is_empty(log: EventLog) -> None:
    log.append([*turn("t-1"), *turn("t-2")])
    assert {e.detail["meta"]["turn_id"] for e in log.turn("t-2")} == {"t-2"}
    assert log.turn("t-unknown") == []


def test_a_redelivered_event_is_logged_once(log: EventLog) -> None:
    events = turn("t-1")
    log.append([events[0], events[0], events[1]])  # twice in one batch
    log.append([events[0]])  # and again later
    assert [e.event_id for e in log.turn("t-1")] == [events[0].id, events[1].id]


def test_a_batch_larger_than_one_request_is_logged_whole(log: EventLog) -> None:
    events = [message("t-1", START + timedelta(seconds=i)) for i in range(60)]
    log.append(events)
    assert [e.event_id for e in log.turn("t-1")] == [e.id for e in events]


def test_events_past_their_retention_read_as_absent(log: EventLog, clock: Clock) -> None:
    log.append(turn("t-1"))
    clock.advance(RETENTION_S - 10)
    assert len(log.turn("t-1")) == 4
    clock.advance(20)
    assert log.turn("t-1") == []


def test_many_events_of_one_turn_are_all_read(log: EventLog) -> None:
    """More than one page of a Query (1 MB) on DynamoDB."""
    events = [message("t-big", START + timedelta(milliseconds=i), text="x" * 3900) for i in range(300)]
    log.append(events)
    assert len(log.turn("t-big")) == 300
