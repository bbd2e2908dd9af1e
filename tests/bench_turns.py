"""Event logs of made-up turns in the shapes the bench reads: today's five-hop chain, the two-hop shape,
a buying turn with one more hop, and a reply the deadline sent (for aicc.bench.hops and .projection)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aicc.ports.eventlog import LoggedEvent

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Log:
    """A turn's events, appended in time order; `add` returns the new event's id."""

    def __init__(self, turn_id: str, intent: str | None = "greeting", flow: str | None = None) -> None:
        self.turn_id, self.intent, self.flow = turn_id, intent, flow
        self.events: list[LoggedEvent] = []

    def add(self, detail_type: str, producer: str, cause: str, **detail: Any) -> str:
        event_id = f"{self.turn_id}-{len(self.events)}-{detail_type}"
        meta = {"turn_id": self.turn_id, "causation_id": cause, "producer": producer, "flow": self.flow}
        self.events.append(
            LoggedEvent(
                event_id=event_id,
                source=f"aicc.{producer}",
                detail_type=detail_type,
                producer=producer,
                causation_id=cause,
                occurred_at=START + timedelta(milliseconds=10 * len(self.events)),
                detail={"meta": meta, **detail},
            )
        )
        return event_id


def five_hops(turn_id: str = "t-five", intent: str = "greeting", flow: str | None = None) -> Log:
    """Today: ingress -> {intent, sentiment, knowledge} -> routing joins both -> aggregator ->
    TurnAssembled -> response -> ResponseComposed -> aggregator pushes."""
    log = Log(turn_id, intent, flow)
    received = log.add("ConversationReceived", "ingress", "ws-request")
    detected = log.add("IntentDetected", "intent", received, intent=intent)
    log.add("KnowledgeRetrieved", "knowledge", received)
    feeling = log.add("SentimentAnalyzed", "sentiment", received)
    # Routing joins intent and sentiment: the later one caused its decision.
    routed = log.add("RouteDecided", "routing", feeling, intent=intent)
    assert detected
    assembled = log.add("TurnAssembled", "aggregator", routed)
    composed = log.add("ResponseComposed", "response", assembled)
    log.add("ReplySent", "aggregator", composed)
    return log


def buying(turn_id: str = "t-buy") -> Log:
    """Today's buying turn: routing -> marketing -> aggregator, one hop more."""
    log = Log(turn_id, "purchase_inquiry")
    received = log.add("ConversationReceived", "ingress", "ws-request")
    log.add("IntentDetected", "intent", received, intent="purchase_inquiry")
    feeling = log.add("SentimentAnalyzed", "sentiment", received)
    routed = log.add("RouteDecided", "routing", feeling, intent="purchase_inquiry")
    offered = log.add("OfferGenerated", "marketing", routed)
    assembled = log.add("TurnAssembled", "aggregator", offered)
    composed = log.add("ResponseComposed", "response", assembled)
    log.add("ReplySent", "aggregator", composed)
    return log


def two_hops(turn_id: str = "t-two", intent: str = "vehicle_problem") -> Log:
    """The new shape: every agent reacts to ConversationReceived, the aggregator pushes on the last
    result, then publishes TurnAssembled, which routing and response record after the reply."""
    log = Log(turn_id, intent)
    received = log.add("ConversationReceived", "ingress", "ws-request")
    log.add("IntentDetected", "intent", received, intent=intent)
    log.add("SentimentAnalyzed", "sentiment", received)
    retrieved = log.add("KnowledgeRetrieved", "knowledge", received)
    log.add("ReplySent", "aggregator", retrieved)
    assembled = log.add("TurnAssembled", "aggregator", retrieved)
    log.add("RouteDecided", "routing", assembled, intent=intent)
    return log


def by_deadline(turn_id: str = "t-late") -> Log:
    """A reply the deadline sent: its cause (TurnDeadline) travels on a queue, not the bus."""
    log = Log(turn_id, "other")
    received = log.add("ConversationReceived", "ingress", "ws-request")
    log.add("IntentDetected", "intent", received, intent="other")
    log.add("ReplySent", "aggregator", "deadline-message")
    return log
