"""Routing rules and reply composition: pure functions over contract models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.agents.compose import compose
from aicc.agents.routing import decide
from contracts.events import EventMeta, IntentDetected, SentimentAnalyzed, TurnResults

META = EventMeta(
    turn_id="t1",
    conversation_id="c1",
    customer_id="cust-0001",
    causation_id="e0",
    producer="x",
    occurred_at=datetime(2026, 11, 24, tzinfo=UTC),
)


def intent(name: str, confidence: float = 0.9, **entities: Any) -> IntentDetected:
    return IntentDetected(
        meta=META, text="a message", intent=name, confidence=confidence, entities=entities, model="test"
    )  # type: ignore[arg-type]


def sentiment(label: str = "neutral", urgency: str = "low", score: float = 0.0) -> SentimentAnalyzed:
    return SentimentAnalyzed(meta=META, label=label, score=score, urgency=urgency, model="test")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("intent_name", "label", "urgency", "expected"),
    [
        ("roadside_assistance", "negative", "high", ("human", "roadside", "urgent")),
        ("vehicle_problem", "negative", "critical", ("human", "roadside", "urgent")),
        ("human_agent", "neutral", "low", ("human", "customer_care", "normal")),
        ("complaint", "negative", "medium", ("human", "customer_care", "high")),
        ("warranty_inquiry", "negative", "high", ("human", "customer_care", "high")),
        ("warranty_inquiry", "negative", "medium", ("bot", None, "normal")),
        ("greeting", "positive", "low", ("bot", None, "normal")),
    ],
)
def test_routing_rules(intent_name: str, label: str, urgency: str, expected: tuple[str, str | None, str]) -> None:
    decided = decide(intent(intent_name), sentiment(label, urgency), META)
    assert (decided.route.kind, decided.route.queue, decided.route.priority) == expected
    assert intent_name in decided.reason


PASSAGE = {
    "doc_id": "d1",
    "title": "Aster owner's manual: Bluetooth",
    "text": "Press the phone button.",
    "uri": "https://owners.aurora-motors.example/manuals/aster/2021#bluetooth",
    "score": 0.8,
    "models": ["Aster"],
}
CIRRUS_PASSAGE = {
    **PASSAGE,
    "doc_id": "d2",
    "title": "Cirrus manual: Bluetooth",
    "text": "Say 'pair phone'.",
    "models": ["Cirrus"],
    "uri": "https://owners.aurora-motors.example/manuals/cirrus/2024#bluetooth",
    "score": 0.9,
}
PROFILE = {
    "meta": META.model_dump(mode="json"),
    "known": True,
    "profile": {"customer_id": "cust-0001", "name": "Ava Thompson", "preferred_dealer": "dlr-harbor"},
    "vehicles": [{"vin": "5ARAX1E23MH000126", "model": "Aster", "model_year": 2021}],
    "history": [],
}


def results(
    intent_name: str,
    *,
    passages: list[dict[str, Any]] | None = None,
    route: dict[str, Any] | None = None,
    label: str = "neutral",
) -> TurnResults:
    held: dict[str, dict[str, Any]] = {
        "IntentDetected": intent(intent_name).model_dump(mode="json"),
        "SentimentAnalyzed": sentiment(label).model_dump(mode="json"),
        "KnowledgeRetrieved": {
            "meta": META.model_dump(mode="json"),
            "query": "q",
            "passages": passages or [],
            "provider": "local",
        },
        "ProfileLoaded": PROFILE,
    }
    if route:
        held["RouteDecided"] = {
            "meta": META.model_dump(mode="json"),
            "route": route,
            "reason": "r",
            "intent": intent_name,
            "sentiment": label,
            "urgency": "high",
        }
    return TurnResults.of(held)


def test_a_grounded_answer_quotes_and_cites_its_passage() -> None:
    reply = compose(results("vehicle_feature_help", passages=[PASSAGE]), missing=[], text="pair phone")
    assert "Press the phone button." in reply.text
    assert "2021 Aster" in reply.text
    assert [s.uri for s in reply.sources] == [PASSAGE["uri"]]
    assert not reply.degraded


def test_a_passage_for_another_model_is_not_quoted_to_an_owner() -> None:
    reply = compose(results("vehicle_feature_help", passages=[CIRRUS_PASSAGE, PASSAGE]), missing=[], text="pair phone")
    assert "Press the phone button." in reply.text and "pair phone'" not in reply.text
    assert [s.uri for s in reply.sources] == [PASSAGE["uri"]]


def test_no_passage_means_no_invented_answer() -> None:
    reply = compose(results("warranty_inquiry"), missing=[], text="is my radio covered?")
    assert reply.sources == []
    assert "couldn't find" in reply.text
    assert any(a.label == "Talk to a person" for a in reply.quick_actions)


def test_a_human_route_is_announced_with_the_roadside_number() -> None:
    route = {"kind": "human", "queue": "roadside", "priority": "urgent"}
    reply = compose(results("roadside_assistance", route=route, label="negative"), missing=[], text="stranded")
    assert reply.route.kind == "human"
    assert "roadside assistance team as a priority" in reply.text
    assert "+1-800-555-0199" in reply.text
    assert any(s.uri.endswith("/roadside-assistance") for s in reply.sources)


def test_booking_points_to_the_preferred_dealer_from_the_data() -> None:
    reply = compose(results("service_booking"), missing=[], text="book an oil change")
    assert "Aurora Harbor City" in reply.text and "+1-310-555-0177" in reply.text
    assert any(s.uri.endswith("/dealers/dlr-harbor") for s in reply.sources)


def test_a_degraded_turn_without_intent_says_less() -> None:
    held = results("vehicle_feature_help", passages=[PASSAGE]).without("IntentDetected")
    reply = compose(held, missing=["IntentDetected"], text="pair phone")
    assert reply.degraded
    assert reply.text.startswith("Sorry")
    assert reply.route.kind == "bot"


def test_out_of_scope_is_declined_without_sources() -> None:
    # The index finds nothing relevant for out-of-scope text.
    reply = compose(results("other", passages=[]), missing=[], text="write me a poem")
    assert "can't help with that" in reply.text
    assert reply.sources == []


def test_an_in_scope_question_the_classifier_missed_is_still_answered_from_the_manuals() -> None:
    strong = {**PASSAGE, "score": 0.8}
    reply = compose(results("other", passages=[strong]), missing=[], text="how often should I change the oil?")
    assert "Press the phone button." in reply.text and "can't help" not in reply.text
    weak = {**PASSAGE, "score": 0.3}
    declined = compose(results("other", passages=[weak]), missing=[], text="write me a poem")
    assert "can't help with that" in declined.text and declined.sources == []
