"""Praise is thanked, a grievance about a visit reaches customer care, a flat tire is a roadside case,
and a follow-up is answered from the policy the conversation is about: each for several phrasings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.agents.cockpit import find_topic
from aicc.agents.compose import compose
from aicc.agents.dialog import advance
from aicc.agents.handoff import answering_sentences
from aicc.agents.routing import route
from aicc.nlu import analyze_sentiment, detect_intent
from aicc.nlu.praise import praises
from contracts.common import DialogState, Route
from contracts.events import CockpitGuidance, ResponseComposed, ServiceActionTaken, Slot, TurnResults
from tests.unit.test_handoff_answers import ROADSIDE, intent, received_turn
from tests.unit.test_routing_and_compose import META

CARE = Route(kind="human", queue="customer_care", priority="high")

PRAISE = [
    "the service team at lakeside did an amazing job on my car, thank you!",
    "big thanks to the folks at lakeside",
    "you guys were great",
    "just wanted to say Maya at north hills was super helpful last week!",
    "shoutout to the harbor city crew, fantastic work on my borealis!",
    "thank you so much, Daniel at north hills went above and beyond with my car",
    "really happy with how quickly they fixed my truck last week, great job!",
    "kudos to the technician who did my recall",
]
NOT_PRAISE = [
    "great, thanks",  # an acknowledgement: "you're welcome", not a compliment to pass on
    "great job losing my car for a week",
    "the staff was friendly but the car still rattles",
    "you guys were great last time, can you book me again for an oil change?",
    "the service advisor at north hills was really rude to me today",
    "perfect, book the 9am",
    "great, when will the tow truck get here",
    "thanks so much for nothing, you guys are useless",
    "the second one please, you guys are great",
]
GRIEVANCES = [
    "i showed up for my appointment at north hills this morning and they said i wasn't on the schedule. wasted 2 hours",
    "went in for my service yesterday and they had no record of my booking, i took a day off for nothing",
    "I was at north hills for my 9am oil change and they turned me away",
    "waited 3 hours at the dealer for a tire rotation that was supposed to take 30 minutes",
    "the dealer refused me a rental even though my car was there 2 days",
]


def _turn(name: str, text: str, label: str = "neutral", urgency: str = "low", dialog: DialogState | None = None) -> Any:
    results = received_turn(name, text, label, urgency, dialog)
    decided = route(results, META)
    assert decided is not None
    return results.adding(decided)


@pytest.mark.parametrize("text", PRAISE)
def test_praise_in_other_words_is_praise(text: str) -> None:
    assert praises(text)


@pytest.mark.parametrize("text", NOT_PRAISE)
def test_thanks_with_a_problem_a_request_or_sarcasm_is_not_praise(text: str) -> None:
    assert not praises(text)


@pytest.mark.parametrize("text", PRAISE)
@pytest.mark.parametrize("misread_as", ["service_booking", "complaint", "vehicle_problem"])
def test_praise_stays_with_the_assistant_and_is_thanked_whatever_the_classifier_read(
    text: str, misread_as: str
) -> None:
    reply = compose(_turn(misread_as, text, "positive"), missing=[], text=text)
    assert reply.route.kind == "bot"
    assert "great to hear" in reply.text and "survey" in reply.text
    assert "sorry" not in reply.text.lower()


@pytest.mark.parametrize("text", PRAISE)
def test_the_models_read_praise_as_social_and_positive(text: str) -> None:
    assert detect_intent(text).intent == "greeting"
    assert analyze_sentiment(text).label == "positive"


@pytest.mark.parametrize("text", GRIEVANCES)
def test_a_grievance_about_a_visit_reaches_customer_care_with_an_apology(text: str) -> None:
    # The classifier reads the visit's words as a booking; a calm telling still reaches a person.
    reply = compose(_turn("service_booking", text), missing=[], text=text)
    assert (reply.route.kind, reply.route.queue, reply.route.priority) == ("human", "customer_care", "high")
    assert "sorry" in reply.text.lower()


def test_the_next_booking_request_keeps_the_grievance_s_priority() -> None:
    turn = _turn(
        "service_booking", "can you at least book me for tomorrow morning", dialog=DialogState(escalation=CARE)
    )
    assert turn.route_decided.route == CARE


@pytest.mark.parametrize(
    "text",
    [
        "isn't a loaner supposed to be free for that?",
        "shouldn't i get a courtesy car for a repair like that?",
        "aren't i entitled to a free loaner?",
    ],
)
def test_a_policy_question_misread_as_a_booking_is_answered_from_the_policy(text: str) -> None:
    slot = Slot(slot_id="s1", dealer_id="dlr-north", start=datetime(2026, 12, 2, 8, tzinfo=UTC))
    offered = ServiceActionTaken(meta=META, action="slots_offered", kind="service", slots=[slot])
    turn = _turn("service_booking", text, dialog=DialogState(escalation=CARE)).adding(offered)
    reply = compose(turn, missing=[], text=text)
    assert "4 hours" in reply.text
    assert "slots" not in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "how far will they tow it?",
        "how far do they tow",
        "how many miles will the tow cover?",
        "will they take it all the way to the dealer? it's pretty far",
    ],
)
def test_how_far_a_tow_goes_is_the_roadside_coverage(text: str) -> None:
    found = answering_sentences(text, "roadside", "Cirrus")
    assert found and "100 miles" in found[0].text and found[0].doc_id.startswith("faq-roadside")


def test_a_tense_question_during_an_emergency_goes_to_the_same_people() -> None:
    asked = _turn("other", "how far do they tow", "negative", "high", DialogState(escalation=ROADSIDE))
    assert asked.route_decided.route == ROADSIDE
    # An upset that asks nothing still reaches customer care.
    upset = _turn(
        "complaint", "this is ridiculous, nobody has come", "negative", "high", DialogState(escalation=ROADSIDE)
    )
    assert upset.route_decided.route.queue == "customer_care"


@pytest.mark.parametrize(
    "text", ["got a flat and there's no spare in my cirrus", "I have a flat tire on my Cirrus and can't find a spare"]
)
def test_a_flat_tire_is_not_the_tire_pressure_light(text: str) -> None:
    assert find_topic(intent("roadside_assistance", text), "Cirrus")[1] != "tire_pressure"
    assert find_topic(intent("vehicle_problem", "the tire pressure light is on"), "Cirrus") == (
        "light",
        "tire_pressure",
    )


def test_the_critical_light_the_cockpit_read_is_the_light_in_focus() -> None:
    text = "dash says STOP SAFELY NOW and there's a battery with a thermometer on it"
    results = TurnResults.of(
        {"IntentDetected": intent("vehicle_problem", text, warning_light="battery").model_dump(mode="json")}
    )
    critical = CockpitGuidance(meta=META, topic="high_voltage_battery", severity="critical", steps=["Pull over."])
    after = advance(DialogState(), results.adding(critical), ResponseComposed(meta=META, text="ok"))
    assert after.warning_light == "high_voltage_battery"
    # A milder light the cockpit read does not replace the one the customer named.
    caution = CockpitGuidance(meta=META, topic="tire_pressure", severity="caution", steps=["Inflate."])
    after = advance(DialogState(), results.adding(caution), ResponseComposed(meta=META, text="ok"))
    assert after.warning_light == "battery"


@pytest.mark.parametrize(
    "text",
    [
        "does it transfer if i sell it?",
        "and if i sell the car, does the new owner keep it?",
        "does that carry over to the next owner?",
    ],
)
def test_a_follow_up_about_the_roadside_cover_is_answered_from_it(text: str) -> None:
    dialog = DialogState(last_intent="roadside_assistance")
    reply = compose(_turn("trade_in", text, dialog=dialog), missing=[], text=text)
    assert "transfers to the next owner" in reply.text
    assert "sells 4 models" not in reply.text
    # Without a roadside question before it, "does it transfer?" is not about roadside.
    assert "Roadside" not in compose(_turn("trade_in", text), missing=[], text=text).text


def test_more_praise_is_thanked_without_repeating_how_it_is_passed_on() -> None:
    thanks = "big thanks to the folks at lakeside"
    first = compose(_turn("greeting", thanks, "positive"), missing=[], text=thanks)
    assert "survey" in first.text and "praise" in first.said
    dialog = DialogState(said=first.said)
    again = compose(
        _turn("greeting", "you guys were great", "positive", dialog=dialog), missing=[], text="you guys were great"
    )
    assert "Thank you" in again.text and "survey" not in again.text and again.text != first.text


@pytest.mark.parametrize(
    "text",
    [
        "how do i leave them a review?",
        "how do i leave her a compliment officially?",
        "where can i give feedback on the advisor?",
    ],
)
def test_asking_how_to_pass_praise_on_is_answered_from_the_feedback_policy(text: str) -> None:
    reply = compose(_turn("other", text), missing=[], text=text)
    assert "feedback" in reply.text.lower() or "survey" in reply.text
    assert "can't help" not in reply.text and "great to hear" not in reply.text
