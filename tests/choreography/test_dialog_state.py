"""A conversation remembers what it established: the open recall is said once, a greeting
introduces the assistant once, a light in focus answers "is it safe to drive?", and an escalation
keeps its priority (moto: whole turns through bus -> rules -> queues -> handlers)."""

from __future__ import annotations

from typing import Any

from tests.choreography.conftest import Choreography
from tests.choreography.test_scenarios import turn


def conversation(chat: Choreography, customer: str, *messages: str) -> list[dict[str, Any]]:
    conn = chat.connect(customer)
    replies = [turn(chat, conn, messages[0])]
    for text in messages[1:]:
        replies.append(turn(chat, conn, text, replies[0]["conversation_id"]))
    return replies


def test_the_open_recall_is_said_once_unless_the_customer_asks(chat: Choreography) -> None:
    # cust-0002 drives a 2023 Borealis LX: the second-row seat latch recall R-2023-014 is open.
    first, second, asked = conversation(
        chat,
        "cust-0002",
        "The check engine light just came on",
        "and now the tire pressure light is on too",
        "are there any recalls on my car?",
    )
    assert "R-2023-014" in first["text"]
    assert "R-2023-014" not in second["text"]
    assert "R-2023-014" in asked["text"]


def test_the_assistant_introduces_itself_once(chat: Choreography) -> None:
    hello, _, again = conversation(chat, "cust-0004", "hi there", "how do I pair my phone?", "hello?")
    assert "I'm the Aurora Motors assistant" in hello["text"]
    assert "I'm the Aurora Motors assistant" not in again["text"]


def test_a_follow_up_about_the_light_in_focus_gets_that_lights_answer(chat: Choreography) -> None:
    light, follow_up = conversation(
        chat, "cust-0004", "The tire pressure warning light just came on", "is it safe to keep driving?"
    )
    assert "tire" in light["text"].lower()
    assert "tire" in follow_up["text"].lower(), follow_up["text"]


def test_an_escalation_keeps_its_priority_on_the_next_turn(chat: Choreography) -> None:
    complaint, next_turn = conversation(
        chat,
        "cust-0006",
        "This is the third time the dealer failed to fix my car, I'm really fed up with your service",
        "I want to talk to a human",
    )
    assert complaint["route"] == {"kind": "human", "queue": "customer_care", "priority": "high"}
    assert next_turn["route"]["kind"] == "human" and next_turn["route"]["priority"] == "high"
    # Told once that a person has it.
    assert "I've passed this conversation" in complaint["text"]
    assert "I've passed this conversation" not in next_turn["text"]


def test_a_buyer_ready_this_week_is_handed_to_their_dealers_sales_people(chat: Choreography) -> None:
    # cust-0001's preferred dealer is Aurora Harbor City.
    (reply,) = conversation(chat, "cust-0001", "I want to buy a cirrus long range this week. who do i talk to?")
    assert reply["route"]["kind"] == "human" and reply["route"]["queue"] == "sales"
    assert "Aurora Harbor City" in reply["text"] and "+1-310-555-0177" in reply["text"]
    assert "Priya Shah" in reply["text"]


def test_an_emergencys_follow_ups_are_answered_from_the_roadside_policy(chat: Choreography) -> None:
    crash, police, waiting = conversation(
        chat,
        "cust-0005",
        "I've been in an accident on the freeway and the car won't move",
        "do i need to call the police?",
        "how long until someone gets here??",
    )
    assert crash["route"] == {"kind": "human", "queue": "roadside", "priority": "urgent"}
    for follow_up in (police, waiting):
        assert "911" in follow_up["text"] and "+1-800-555-0199" in follow_up["text"], follow_up["text"]
        assert "can't help" not in follow_up["text"]


def test_a_two_car_owner_is_asked_which_car_and_the_answer_is_for_that_car(chat: Choreography) -> None:
    # cust-0005 owns a 2023 Borealis Plug-in Hybrid and a 2024 Dune Work Truck.
    conn = chat.connect("cust-0005")
    asked = turn(chat, conn, "the check engine light came on this morning")
    assert "Borealis" in asked["text"] and "Dune" in asked["text"] and "?" in asked["text"]
    dune = next(a for a in asked["quick_actions"] if "Dune" in a["label"])
    answer = turn(chat, conn, dune["action"], asked["conversation_id"])
    assert "Dune" in answer["text"] and "which vehicle" not in answer["text"].lower()


def test_recommendations_only_for_a_shopper(chat: Choreography) -> None:
    # cust-0017 drives a Dune Work Truck: towing is a question about their truck, not a sales lead.
    (reply,) = conversation(chat, "cust-0017", "how much can my truck tow?")
    assert "You might like" not in reply["text"]


def test_an_emergency_with_a_warning_light_gets_that_lights_steps(chat: Choreography) -> None:
    # cust-0012's brake pedal went soft with the red brake light on, on the road: a person is called,
    # and the brake light's steps come now, never a feature's how-to.
    (reply,) = conversation(
        chat, "cust-0012", "my brake pedal went soft and the red brake light is on, i'm on the road right now"
    )
    assert reply["route"] == {"kind": "human", "queue": "roadside", "priority": "urgent"}
    assert "911" in reply["text"] and "parking brake" in reply["text"].lower(), reply["text"]
