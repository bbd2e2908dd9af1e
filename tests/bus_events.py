"""Bus events of made-up turns, for tests of the event log, analytics and the operator tools."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from aicc.ports.bus import BusEvent
from contracts.common import Route
from contracts.events import (
    ConversationReceived,
    EventDetail,
    EventMeta,
    IntentDetected,
    ReplySent,
    SentimentAnalyzed,
)

START = datetime(2026, 11, 30, 23, 59, 59, 500000, tzinfo=UTC)


def meta(turn_id: str, producer: str, at: datetime, cause: str = "ws-request") -> EventMeta:
    return EventMeta(
        turn_id=turn_id,
        conversation_id=f"conv-{turn_id}",
        customer_id="cust-0001",
        causation_id=cause,
        producer=producer,
        occurred_at=at,
    )


def bus_event(detail: EventDetail, source: str | None = None, event_id: str | None = None) -> BusEvent:
    return BusEvent(
        id=event_id or uuid.uuid4().hex,
        source=source or f"aicc.{detail.meta.producer}",
        detail_type=type(detail).__name__,
        time=detail.meta.occurred_at,
        detail=detail,
    )


def message(turn_id: str, at: datetime = START, text: str = "what does my warranty cover?") -> BusEvent:
    """A ConversationReceived of the turn."""
    return bus_event(
        ConversationReceived(meta=meta(turn_id, "ingress", at), text=text, client_message_id="m1", connection_id="c1")
    )


def turn(
    turn_id: str,
    *,
    start: datetime = START,
    intent: str = "warranty_inquiry",
    route: Route | None = None,
    latency_ms: float = 180.0,
    degraded: bool = False,
    booked: str | None = None,
) -> list[BusEvent]:
    """A whole turn: received, intent (40 ms), sentiment (60 ms), reply (`latency_ms`)."""
    received = bus_event(
        ConversationReceived(
            meta=meta(turn_id, "ingress", start),
            text="what does my warranty cover?",
            client_message_id="m1",
            connection_id="c1",
        )
    )
    detected = bus_event(
        IntentDetected(
            meta=meta(turn_id, "intent", start + timedelta(milliseconds=40), received.id),
            text="what does my warranty cover?",
            intent=intent,  # type: ignore[arg-type]
            confidence=0.9,
            model="test",
        )
    )
    feeling = bus_event(
        SentimentAnalyzed(
            meta=meta(turn_id, "sentiment", start + timedelta(milliseconds=60), received.id),
            label="neutral",
            score=0.0,
            urgency="low",
            model="test",
        )
    )
    reply = bus_event(
        ReplySent(
            meta=meta(turn_id, "aggregator", start + timedelta(milliseconds=latency_ms), detected.id),
            text="Your warranty covers...",
            route=route or Route(),
            contributors=["IntentDetected", "SentimentAnalyzed"],
            delivered=True,
            degraded=degraded,
            latency_ms=latency_ms,
            booked=booked,  # type: ignore[arg-type]
        )
    )
    return [received, detected, feeling, reply]
