"""While a person takes over, the question asked is still answered from the queue's policies."""

from __future__ import annotations

from typing import Any

import pytest

from aicc.agents.cockpit import find_topic
from aicc.agents.compose import compose
from aicc.agents.handoff import answering_sentences
from aicc.agents.routing import decide, route
from contracts.common import DialogState, Route
from contracts.events import IntentDetected, SentimentAnalyzed, TurnResults
from tests.unit.test_routing_and_compose import META

ROADSIDE = Route(kind="human", queue="roadside", priority="urgent")


def intent(name: str, text: str, **entities: Any) -> IntentDetected:
    return IntentDetected(meta=META, text=text, intent=name, confidence=0.9, entities=entities, model="test")  # type: ignore[arg-type]


def sentiment(label: str = "neutral", urgency: str = "low") -> SentimentAnalyzed:
    return SentimentAnalyzed(meta=META, label=label, score=0.0, urgency=urgency, model="test")  # type: ignore[arg-type]


def said(text: str, queue: str, model: str | None = "Aster") -> str:
    return " ".join(s.text for s in answering_sentences(text, queue, model))


@pytest.mark.parametrize(
    ("queue", "model", "message", "answer"),
    [
        ("roadside", "Aster", "do i need to call the police?", "call 911"),
        ("roadside", "Aster", "the other driver wants my insurance info", "Exchange insurance details"),
        ("roadside", "Aster", "how long until someone gets here??", "within 60 minutes"),
        ("roadside", "Borealis", "someone hit me in a parking lot, where do i get it fixed?", "collision center"),
        ("roadside", "Dune", "truck slid into a ditch", "winching"),
        ("roadside", "Cirrus", "locked my keys in the car", "Aurora Connect"),
        ("roadside", "Aster", "my car won't start, it just clicks", "jump-start"),
        ("roadside", "Cirrus", "ran out of charge on the interstate", "charging station"),
        ("roadside", "Cirrus", "smoke is coming from under the car", "50 feet away"),
        ("customer_care", "Cirrus", "can i at least get a loaner??", "more than 4 hours"),
        ("customer_care", "Aster", "what's the number to call customer care myself?", "+1-800-555-0142"),
        ("customer_care", "Dune", "can this go higher than you guys?", "regional customer relations manager"),
        ("customer_care", "Aster", "what happens now?", "case manager contacts you"),
        ("customer_care", "Aster", "they charged me for the recall fix", "always free"),
    ],
)
def test_the_policy_sentence_that_answers_the_message(queue: str, model: str, message: str, answer: str) -> None:
    assert answer in said(message, queue, model)


def test_an_emergency_wait_is_not_answered_with_the_length_of_cover() -> None:
    assert "5 years" not in said("how long until someone gets here??", "roadside")


def test_a_passage_for_another_model_is_not_said() -> None:
    # The high-voltage battery's smoke advice is the Cirrus manual's: a Dune driver does not hear it.
    assert "50 feet" not in said("smoke is coming from under the hood", "roadside", "Dune")


def test_a_roadside_question_with_no_policy_answer_says_nothing_rather_than_a_case_process() -> None:
    assert said("ok we're out of the car. now what", "roadside", "Cirrus") == ""


def test_customer_care_falls_back_to_another_queue_s_policy() -> None:
    assert "Aurora Connect" in said("is there a way to unlock it without the app?", "customer_care")


def test_a_handed_over_question_leads_with_the_answer_then_the_handoff() -> None:
    held: dict[str, Any] = {
        "IntentDetected": intent("complaint", "can i at least get a loaner??").model_dump(mode="json"),
        "SentimentAnalyzed": sentiment("negative", "medium").model_dump(mode="json"),
    }
    results = TurnResults.of(held)
    decided = decide(results.intent_detected, results.sentiment_analyzed, META)  # type: ignore[arg-type]
    reply = compose(results.adding(decided), missing=[], text="can i at least get a loaner??")
    assert reply.route.queue == "customer_care"
    assert reply.text.index("4 hours") < reply.text.index("customer care team")


def received_turn(
    name: str, text: str, label: str = "neutral", urgency: str = "low", dialog: DialogState | None = None
) -> TurnResults:
    """A turn's message in its conversation, with its intent and sentiment."""
    held: dict[str, Any] = {
        "ConversationReceived": {
            "meta": META.model_dump(mode="json"),
            "text": text,
            "client_message_id": "m1",
            "connection_id": "k1",
            "dialog": (dialog or DialogState()).model_dump(mode="json"),
        },
        "IntentDetected": intent(name, text).model_dump(mode="json"),
        "SentimentAnalyzed": sentiment(label, urgency).model_dump(mode="json"),
    }
    return TurnResults.of(held)


def _routed(name: str, text: str, label: str = "neutral", urgency: str = "low", open_: Route | None = None) -> Route:
    decided = route(received_turn(name, text, label, urgency, DialogState(escalation=open_)), META)
    assert decided is not None
    return decided.route


def test_a_question_about_roadside_cover_stays_with_the_assistant() -> None:
    assert _routed("roadside_assistance", "how long does roadside assistance last on my truck").kind == "bot"
    assert _routed("roadside_assistance", "I need a tow", "negative", "high").queue == "roadside"


def test_a_disputed_charge_is_a_complaint() -> None:
    routed = _routed("recall_inquiry", "harbor city charged me for the camera update, isn't that a recall??")
    assert (routed.queue, routed.priority) == ("customer_care", "high")


def test_asking_for_someone_during_an_emergency_stays_with_roadside() -> None:
    routed = _routed("human_agent", "can you send someone?", open_=ROADSIDE)
    assert (routed.queue, routed.priority) == ("roadside", "urgent")
    assert _routed("complaint", "will they take it to a charger?", open_=ROADSIDE).queue == "roadside"


def test_the_words_of_a_critical_light_outrank_a_milder_light_named() -> None:
    text = "dash says STOP SAFELY NOW and there's a battery with a thermometer on it"
    assert find_topic(intent("vehicle_problem", text, warning_light="battery"), "Cirrus") == (
        "light",
        "high_voltage_battery",
    )


def test_praise_is_thanked_and_passed_on_not_apologised_for() -> None:
    text = "just wanted to say Maya at north hills was super helpful last week!"
    held: dict[str, Any] = {
        "IntentDetected": intent("greeting", text).model_dump(mode="json"),
        "SentimentAnalyzed": sentiment("positive").model_dump(mode="json"),
    }
    reply = compose(TurnResults.of(held), missing=[], text=text)
    assert "great to hear" in reply.text and "passed on" in reply.text
    assert "sorry" not in reply.text.lower() and reply.route.kind == "bot"
