"""The intent a message carries in the conversation: driving one's own car, a bare yes in a flow,
fitting an accessory, readiness to buy in other words, and questions about a test drive."""

from __future__ import annotations

import pytest

from aicc.agents.intent import in_context, purchase_ready
from aicc.agents.slots import asks_when_due
from contracts.common import DialogState, OwnedVehicle

AFTER_A_LIGHT = DialogState(last_intent="vehicle_problem", warning_light="check_engine")
BROWSING = DialogState(last_intent="purchase_inquiry", model="Borealis")
MIA = DialogState(vehicles=[OwnedVehicle(vin="5ARBX1E2XPH000001", model="Borealis", model_year=2023)])


@pytest.mark.parametrize(
    "text",
    [
        "can i still drive it?",
        "can I drive it home",
        "am i ok to drive it to work tomorrow?",
        "can i drive my borealis",
    ],
)
def test_driving_the_customers_own_car_is_no_test_drive(text: str) -> None:
    assert in_context("test_drive", text, AFTER_A_LIGHT) == "vehicle_problem"
    assert in_context("test_drive", text, MIA) == "vehicle_problem"


@pytest.mark.parametrize(
    ("text", "dialog"),
    [
        ("can i test drive a dune saturday", AFTER_A_LIGHT),
        ("could we try one out on saturday at harbor city?", DialogState()),
        ("can i drive a cirrus this weekend", MIA),  # a model she does not own
        ("can i drive it home for a day?", BROWSING),  # buying context
        ("tst drive the aster friday?", DialogState()),
    ],
)
def test_trying_a_car_out_stays_a_test_drive(text: str, dialog: DialogState) -> None:
    assert in_context("test_drive", text, dialog) == "test_drive"


@pytest.mark.parametrize("text", ["yes please", "yes", "yep go ahead", "Yeah, cancel it please!", "no thanks"])
def test_a_bare_answer_in_a_flow_is_no_request_for_a_person(text: str) -> None:
    booking = DialogState(last_intent="service_booking")
    assert in_context("human_agent", text, booking, flow_open=True) == "service_booking"
    assert in_context("human_agent", text, DialogState(), flow_open=True) == "other"
    # Outside a flow the reading stands, and asking for a person in words is always that.
    assert in_context("human_agent", text, booking) == "human_agent"
    assert in_context("human_agent", "yes please, a real person", booking, flow_open=True) == "human_agent"


@pytest.mark.parametrize(
    "text",
    [
        "can i bring them to lakeside to have them installed?",
        "does harbor city install them?",
        "can they fit them for me",
    ],
)
def test_fitting_an_accessory_just_asked_about_is_about_that_accessory(text: str) -> None:
    accessories = DialogState(last_intent="parts_accessories")
    assert in_context("service_booking", text, accessories) == "parts_accessories"
    assert in_context("service_booking", text, AFTER_A_LIGHT) == "service_booking"


@pytest.mark.parametrize(
    "text",
    [
        "ok i'm sold, i want to order one. who do i talk to at lakeside?",
        "ok i'm ready to sign. who should i see at lakeside?",
        "great, i want to place an order at lakeside",
        "i'll take it, who do i talk to at harbor city",
        "where do i sign?",
    ],
)
def test_readiness_to_buy_in_other_words_is_a_purchase(text: str) -> None:
    assert purchase_ready(text)
    assert in_context("other", text, BROWSING) == "purchase_inquiry"


@pytest.mark.parametrize(
    "text", ["how much is the borealis?", "what do you have for a family of 6", "i'll think about it"]
)
def test_browsing_is_not_readiness(text: str) -> None:
    assert not purchase_ready(text)


@pytest.mark.parametrize(
    "text",
    [
        "what do i need to bring to test drive a dune",
        "do I need an appointment for a test drive?",
        "how long is a test drive?",
        "is there a deposit to test drive the borealis?",
        "whats required for a test drive",
    ],
)
def test_a_question_about_a_test_drive_is_no_booking(text: str) -> None:
    assert asks_when_due(text)


@pytest.mark.parametrize(
    "text",
    ["can i test drive a dune saturday", "book a test drive of the cirrus friday", "test drive borealis at 10am"],
)
def test_a_request_for_a_test_drive_is_a_booking(text: str) -> None:
    assert not asks_when_due(text)


@pytest.mark.parametrize(
    "text",
    [
        "hmm actually cancel it, I'll be out of town",
        "please cancel my appointment, im away on a trip that week",
        "can you move that booking? something came up",
        "need to reschedule it, i'll be travelling",
    ],
)
def test_changing_what_was_just_booked_stays_with_the_booking_whatever_the_reason(text: str) -> None:
    dialog = DialogState(last_intent="service_booking")
    assert in_context("roadside_assistance", text, dialog) == "service_booking"


def test_a_breakdown_out_of_town_after_a_booking_is_still_roadside() -> None:
    dialog = DialogState(last_intent="service_booking")
    assert in_context("roadside_assistance", "my car broke down out of town", dialog) == "roadside_assistance"
