"""Praise is thanked, a grievance about a visit reaches customer care, a flat tire is a roadside case,
and a follow-up is answered from the policy the conversation is about: each for several phrasings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.agents.cockpit import about_a_tow, fault_steps, find_topic
from aicc.agents.compose import compose
from aicc.agents.dialog import advance
from aicc.agents.handoff import answering_sentences
from aicc.agents.routing import route
from aicc.nlu import analyze_sentiment, detect_intent
from aicc.nlu.praise import praises
from contracts.common import DialogState, Route
from contracts.events import CockpitGuidance, ResponseComposed, ServiceActionTaken, Slot, TurnResults
from tests.unit.test_handoff_answers import ROADSIDE, intent, received_turn, said
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


# --- third round: the same classes in other words -----------------------------------------------------

MORE_PRAISE = [
    "Priya in the service dept was wonderful, please pass that on",
    "thx so much to the tech who fixed my ac, super happy",
    "thank u so much lakeside team, u guys rock",
    "Daniel went above and beyond for me",
    "awsome job on my car guys",
    "5 stars for the north hills crew",
]
MORE_NOT_PRAISE = [
    "rocks hit my windshield",
    "ok nice",
    "the staff were nice but they lost my keys",
    "please tell her to call me",
]
MORE_GRIEVANCES = [
    "I dropped it off monday and they still havent touched it",
    "showed up at 8 for my appointment and they didnt have me in the system",
    "my appointment got cancelled without anyone telling me",
    "no one ever called me back about my car",
    "they scratched my door during the service",
    "i drove 40 miles for my appointment and they were closed",
]
NOT_GRIEVANCES = [
    "i need my appointment cancelled",
    "i lost my keys",
    "can you call me back",
    "is the dealer closed on sunday",
]


@pytest.mark.parametrize("text", MORE_PRAISE)
def test_praise_with_typos_relays_and_names_is_praise(text: str) -> None:
    assert praises(text)


@pytest.mark.parametrize("text", MORE_NOT_PRAISE)
def test_a_word_of_praise_alone_is_not_praise(text: str) -> None:
    assert not praises(text)


@pytest.mark.parametrize("text", MORE_GRIEVANCES)
def test_being_let_down_in_other_words_reaches_customer_care(text: str) -> None:
    reply = compose(_turn("service_booking", text), missing=[], text=text)
    assert (reply.route.queue, reply.route.priority) == ("customer_care", "high")


@pytest.mark.parametrize("text", NOT_GRIEVANCES)
def test_a_request_is_not_a_grievance(text: str) -> None:
    assert _turn("service_booking", text).route_decided.route.queue is None


@pytest.mark.parametrize(
    "text",
    [
        "how far can they tow me",
        "what's the max distance for the tow",
        "will they take it all the way to my dealer 80 miles away?",
        "whats the furthest they'll tow it",
        "is there a mileage limit on the tow?",
    ],
)
def test_any_tow_distance_question_is_the_tow_not_the_range(text: str) -> None:
    assert "100 miles" in said(text, "roadside", "Cirrus")
    dialog = DialogState(escalation=ROADSIDE, last_intent="roadside_assistance", said=["handoff:roadside"])
    assert about_a_tow(text, dialog)
    reply = compose(_turn("vehicle_feature_help", text, "negative", "high", dialog), missing=[], text=text)
    assert "100 miles" in reply.text and "EPA" not in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "ugh my tire just went flat in the parking lot, does roadside cover that?",
        "my tire is flat now, is that covered by roadside?",
        "flat tyre outside, is a flat covered under roadside assistance?",
    ],
)
def test_a_roadside_cover_question_in_a_booking_is_answered_and_handed_over(text: str) -> None:
    aside = ServiceActionTaken(meta=META, action="slots_offered", kind="service", missing=["resume"])
    turn = _turn("roadside_assistance", text, "negative", "medium").adding(aside)
    reply = compose(turn, missing=[], text=text)
    assert reply.route.queue == "roadside" and "+1-800-555-0199" in reply.text
    assert "tow" in reply.text.lower()


BRAKE_STEPS = [
    "First check the parking brake: if it is engaged, release it and the light should go out.",
    "If the light stays on while driving, slow down gradually and pull over: stopping distances may be much longer.",
    "Call Roadside Assistance at +1-800-555-0199 for a tow.",
]


@pytest.mark.parametrize(
    "text",
    [
        "parking brake is off and it's still on",
        "I already released it, the light is still there",
        "it's not the parking brake, handbrake is down",
        "the parkign brake is definitely off and the light wont go out",
    ],
)
def test_ruling_out_the_harmless_cause_leaves_the_fault(text: str) -> None:
    assert fault_steps(text, BRAKE_STEPS) == BRAKE_STEPS[1:]


@pytest.mark.parametrize("text", ["is it safe to drive?", "can i still drive with it?", "what does it mean"])
def test_a_question_about_the_light_rules_nothing_out(text: str) -> None:
    assert fault_steps(text, BRAKE_STEPS) is None


def test_the_red_circle_with_an_exclamation_mark_is_the_brake_light() -> None:
    for text in ["there's a red light with a ! in a circle on my dash", "red circle with an exclamation mark lit up"]:
        assert find_topic(intent("vehicle_problem", text), "Cirrus") == ("light", "brake")
