"""Noise in replies (issue 13): how a message is read (maintenance questions are not bookings, the
assistant asked whether it is a person, investing is out of scope, "my truck" is the Dune), and what a
reply leaves out (the recall banner after "thanks", a greeting glued to an answer, "I can't help")."""

from __future__ import annotations

import pytest

from aicc.agents.compose import closing
from aicc.agents.intent import follow_up_intent
from aicc.nlu import extract_entities
from aicc.nlu.intent import local_detect_intent
from contracts.common import DialogState
from tests.composed_turns import reply


@pytest.fixture(autouse=True)
def _local_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_INTENT_PROVIDER", "local")
    monkeypatch.setenv("AICC_SENTIMENT_PROVIDER", "local")


# --- reading the message ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "when is the next oil change due for my borealis?",
        "how often do i need to rotate the tires",
        "how long does an annual inspection take?",
        "what does a brake fluid replacement cost",
    ],
)
def test_a_question_about_a_service_is_not_a_request_to_book_one(text: str) -> None:
    assert local_detect_intent(text).intent != "service_booking"


@pytest.mark.parametrize(
    "text",
    ["we need an suv that can tow a 6000 lb boat, what do you have", "what's the least expensive car you sell?"],
)
def test_shopping_by_a_need_is_a_purchase_question(text: str) -> None:
    assert local_detect_intent(text).intent == "purchase_inquiry"


@pytest.mark.parametrize(
    "text", ["is aurora stock a good investment this year?", "r u a bot", "are you a real person or a bot?"]
)
def test_investing_and_the_assistants_nature_are_out_of_scope(text: str) -> None:
    assert local_detect_intent(text).intent == "other"


def test_my_truck_is_the_one_truck_in_the_line_up_and_a_truck_to_buy_is_no_model() -> None:
    assert extract_entities("the tire light is on in my truck").model == "Dune"
    assert extract_entities("the tire light is on in my truck").warning_light == "tire_pressure"
    assert extract_entities("i need a truck that tows 9000 lb").model is None
    assert extract_entities("my suv is making a noise").model is None  # a crossover is called an SUV too


def test_an_elliptical_follow_up_asks_the_previous_question_about_another_car() -> None:
    assert follow_up_intent("and for the borealis?", "vehicle_problem") == "vehicle_problem"
    assert follow_up_intent("what about my other car?", "warranty_inquiry") == "warranty_inquiry"
    assert follow_up_intent("what about financing?", "purchase_inquiry") is None  # a topic of its own
    assert follow_up_intent("and the borealis?", "greeting") is None  # nothing to carry over


# --- what a reply leaves out ------------------------------------------------------------------------


def test_closing_messages_are_thanks_goodbyes_and_acknowledgements() -> None:
    assert all(closing(text) for text in ["ok ty", "great, thanks!", "have a good one", "cool", "got it"])
    assert not any(closing(text) for text in ["hello?", "ok book the first one", "is it safe to drive?"])


def test_thanks_gets_no_recall_banner_the_conversation_has_not_heard() -> None:
    # Ava's Aster has an open recall; "thanks" closes a topic and is no moment to bring it up.
    text = reply("cust-0001", "ok ty").text
    assert "R-2021-022" not in text and "Hi again" not in text
    assert "welcome" in text


def test_a_greeting_is_not_glued_in_front_of_an_answer() -> None:
    text = reply("cust-0001", "hi, when is my next oil change due?", DialogState(said=["greeting"])).text
    assert "Hi again" not in text and "I'm the Aurora Motors assistant" not in text


def test_are_you_a_person_is_answered_truthfully_with_a_person_on_offer() -> None:
    composed = reply("cust-0016", "are you a real person?", DialogState(said=["greeting"]))
    assert "automated" in composed.text and "I can't help" not in composed.text
    assert composed.route.kind == "bot"
    assert any(action.label == "Talk to a person" for action in composed.quick_actions)


def test_a_maintenance_question_gets_the_interval_not_slots() -> None:
    # Ethan's 2022 Aster Hybrid: oil every 10,000 miles.
    composed = reply("cust-0010", "when's the next oil change due on my aster?")
    assert "10,000" in composed.text
    assert not any(action.label.startswith("Book ") and ":" in action.label for action in composed.quick_actions)
