"""Turn completeness is derived from the manifest's patterns."""

from __future__ import annotations

from typing import Any

from aicc.agents.aggregation import Arrival, arrival, turn_status
from contracts.manifest import manifest

EVERY_TURN = [
    "IntentDetected",
    "SentimentAnalyzed",
    "RouteDecided",
    "KnowledgeRetrieved",
    "ProfileLoaded",
    "InsightsComputed",
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


def test_a_greeting_is_complete_with_the_every_turn_results() -> None:
    status = turn_status(results(*EVERY_TURN), manifest())
    assert status.complete
    assert set(status.not_coming) == {"CockpitGuidance", "RecommendationsMade", "OfferGenerated", "ServiceActionTaken"}
    status = turn_status(results(*EVERY_TURN[:-1]), manifest())
    assert not status.complete and status.missing == ["InsightsComputed"]


def test_not_complete_without_the_message_itself() -> None:
    held = results(*EVERY_TURN)
    del held["ConversationReceived"]
    assert not turn_status(held, manifest()).complete


def test_chained_results_are_expected_once_their_input_matches() -> None:
    assert arrival("RouteDecided", results(), manifest()) is Arrival.UNDECIDED
    assert arrival("RouteDecided", results("IntentDetected"), manifest()) is Arrival.EXPECTED


def test_a_filtered_agent_is_awaited_only_for_the_intents_its_rule_matches() -> None:
    m = manifest()
    assert arrival("CockpitGuidance", results(), m) is Arrival.UNDECIDED
    assert arrival("CockpitGuidance", results("IntentDetected", intent="vehicle_problem"), m) is Arrival.EXPECTED
    assert arrival("CockpitGuidance", results("IntentDetected", intent="greeting"), m) is Arrival.NOT_COMING
    problem = results(*EVERY_TURN, intent="vehicle_problem")
    assert turn_status(problem, m).missing == ["CockpitGuidance"]


def test_marketing_waits_on_the_route_and_its_content() -> None:
    m = manifest()
    assert arrival("OfferGenerated", results("IntentDetected", intent="purchase_inquiry"), m) is Arrival.UNDECIDED
    buying = results("IntentDetected", "RouteDecided", intent="purchase_inquiry")
    assert arrival("OfferGenerated", buying, m) is Arrival.EXPECTED
    buying["RouteDecided"]["sentiment"] = "negative"
    assert arrival("OfferGenerated", buying, m) is Arrival.NOT_COMING


def test_an_active_booking_flow_awaits_servicing_whatever_the_intent() -> None:
    m = manifest()
    assert arrival("ServiceActionTaken", results("IntentDetected", intent="other"), m) is Arrival.NOT_COMING
    follow_up = results("IntentDetected", intent="other", flow="servicing")
    assert arrival("ServiceActionTaken", follow_up, m) is Arrival.EXPECTED
