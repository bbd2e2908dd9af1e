"""Turn completeness is derived from the manifest's patterns."""

from __future__ import annotations

from typing import Any

from aicc.agents.aggregation import Arrival, arrival, turn_status
from contracts.manifest import manifest

# Every agent the reply waits for reacts to the message itself and answers every message.
EVERY_TURN = [
    "IntentDetected",
    "SentimentAnalyzed",
    "KnowledgeRetrieved",
    "ProfileLoaded",
    "CockpitGuidance",
    "RecommendationsMade",
    "InsightsComputed",
    "ServiceActionTaken",
]


def results(*types: str, intent: str = "greeting", flow: str | None = None) -> dict[str, dict[str, Any]]:
    meta = {"flow": flow}
    held: dict[str, dict[str, Any]] = {"ConversationReceived": {"text": "hi", "meta": meta}}
    for t in types:
        if t == "IntentDetected":
            held[t] = {"intent": intent, "meta": meta}
        elif t == "RouteDecided":
            held[t] = {"intent": intent, "sentiment": "neutral", "route": {"kind": "bot"}, "meta": meta}
        else:
            held[t] = {"meta": meta}
    return held


def test_a_turn_is_complete_once_every_agent_answered_the_message() -> None:
    status = turn_status(results(*EVERY_TURN), manifest())
    assert status.complete and status.not_coming == []
    status = turn_status(results(*EVERY_TURN[:-1]), manifest())
    assert not status.complete and status.missing == ["ServiceActionTaken"]


def test_not_complete_without_the_message_itself() -> None:
    held = results(*EVERY_TURN)
    del held["ConversationReceived"]
    assert not turn_status(held, manifest()).complete


def test_the_reply_waits_for_two_hops_only() -> None:
    # Everything it waits for is expected as soon as the message is here, whatever the intent.
    m = manifest()
    for detail_type in m.reply_waits_for:
        assert arrival(detail_type, results(), m) is Arrival.EXPECTED, detail_type
        assert all(p.consumes[0].detail_types == ["ConversationReceived"] for p in m.producers_of(detail_type))


def test_decisions_of_record_and_offers_are_not_awaited() -> None:
    # Routing, response generation and marketing publish after the reply: a turn never waits for them.
    m = manifest()
    assert not {"RouteDecided", "ResponseComposed", "OfferGenerated"} & set(m.reply_waits_for)
    assert turn_status(results(*EVERY_TURN, intent="purchase_inquiry"), m).complete


def test_an_active_booking_flow_still_needs_nothing_more() -> None:
    assert turn_status(results(*EVERY_TURN, intent="other", flow="servicing"), manifest()).complete
