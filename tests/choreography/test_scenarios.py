"""Scenarios a contact-center lead would check, each driven as real turns through the bus on moto."""

from __future__ import annotations

import re
from typing import Any

from tests.choreography.conftest import Choreography


def turn(chat: Choreography, conn: str, text: str, conversation_id: str | None = None) -> dict[str, Any]:
    before = len(chat.replies(conn))
    ack = chat.send(conn, text, conversation_id=conversation_id)
    assert ack["type"] == "ack", ack
    chat.pump()
    replies = chat.replies(conn)
    assert len(replies) == before + 1, f"no reply to {text!r}"
    reply = replies[-1]
    assert reply["text"].strip(), "no reply is empty"
    return reply


def test_booking_over_three_turns_ends_with_a_confirmed_appointment(chat: Choreography) -> None:
    conn = chat.connect("cust-0001")
    first = turn(chat, conn, "I need to book an oil change for my Aster")
    assert re.search(r"free service appointment slots", first["text"]), first["text"]
    assert any(a["action"].startswith("Book slot ") for a in first["quick_actions"])
    conversation = first["conversation_id"]
    second = turn(chat, conn, "at Harbor City on Friday morning please", conversation)
    assert "Aurora Harbor City" in second["text"] and "Fri" in second["text"], second["text"]
    third = turn(chat, conn, "the second one", conversation)
    assert third["text"].startswith("Done") or "booked your service appointment" in third["text"], third["text"]
    assert "Aurora Harbor City" in third["text"]
    assert third["route"]["kind"] == "bot"
    assert any(s["uri"].endswith("/dealers/dlr-harbor") for s in third["sources"])


def test_booking_from_a_quick_action(chat: Choreography) -> None:
    conn = chat.connect("cust-0007")
    offered = turn(chat, conn, "Can I book a tire rotation?")
    action = next(a["action"] for a in offered["quick_actions"] if a["action"].startswith("Book slot "))
    booked = turn(chat, conn, action, offered["conversation_id"])
    assert "booked your service appointment" in booked["text"], booked["text"]


def test_a_recall_question_for_a_vin_with_a_recall_and_one_without(chat: Choreography) -> None:
    with_recall = chat.connect("cust-0002")  # 2023 Borealis, open recall R-2023-014
    reply = turn(chat, with_recall, "Is there any recall on my car? VIN 5ARBX1E26PH000162")
    assert "R-2023-014" in reply["text"], reply["text"]
    assert any("R-2023-014" in s["uri"] or "R-2023-014" in s["title"] for s in reply["sources"]), reply["sources"]
    without = chat.connect("cust-0003")  # 2024 Aster, no open recall
    reply = turn(chat, without, "Are there any open recalls for my vehicle 5ARAX1E29RK000187?")
    assert "no open recalls" in reply["text"], reply["text"]
    assert "R-20" not in reply["text"]


def test_the_same_warning_light_on_two_models_gets_model_specific_guidance(chat: Choreography) -> None:
    aster = chat.connect("cust-0001")  # 2021 Aster
    cirrus = chat.connect("cust-0004")  # 2023 Cirrus
    on_aster = turn(chat, aster, "The tire pressure warning light just came on, what should I do?")
    on_cirrus = turn(chat, cirrus, "The tire pressure warning light just came on, what should I do?")
    assert "Aster" in on_aster["text"] and "Cirrus" in on_cirrus["text"]
    assert on_aster["text"] != on_cirrus["text"]
    assert on_aster["sources"] and on_cirrus["sources"]


def test_roadside_goes_to_a_person_with_urgent_priority(chat: Choreography) -> None:
    conn = chat.connect("cust-0005")
    reply = turn(chat, conn, "I've been in an accident on the freeway and the car won't move")
    assert reply["route"] == {"kind": "human", "queue": "roadside", "priority": "urgent"}


def test_a_complaint_goes_to_customer_care(chat: Choreography) -> None:
    conn = chat.connect("cust-0006")
    reply = turn(
        chat, conn, "This is the third time the dealer failed to fix my car, I'm really fed up with your service"
    )
    assert reply["route"]["kind"] == "human" and reply["route"]["queue"] == "customer_care"
    assert reply["route"]["priority"] in ("high", "urgent")


def _offer_made(chat: Choreography, customer: str, text: str) -> bool:
    """Whether the customer was shown an offer: it follows the reply, as its own frame."""
    conn = chat.connect(customer)
    reply = turn(chat, conn, text)
    import boto3

    items = boto3.client("dynamodb", region_name="us-east-1").query(
        TableName="aicc-offers",
        KeyConditionExpression="customer_id = :c",
        ExpressionAttributeValues={":c": {"S": customer}},
    )["Items"]
    shown = [f for f in chat.frames(conn) if f.get("type") in {"reply", "offer"}]
    offers = [f for f in shown if f["type"] == "offer"]
    assert len(offers) == len(items) <= 1, shown  # recorded offers are the ones shown, once
    if offers:
        assert shown[0]["type"] == "reply" and offers[0]["turn_id"] == reply["turn_id"]
        assert offers[0]["headline"] and offers[0]["terms"]
    return bool(offers)


def test_offers_only_with_consent_and_never_in_a_bad_mood(chat: Choreography) -> None:
    assert _offer_made(chat, "cust-0001", "What trims does the new Borealis come in and how much are they?")
    assert not _offer_made(chat, "cust-0003", "What trims does the new Borealis come in and how much are they?")
    # A buying question in a bad mood: the marketing rule's sentiment filter keeps the offer away.
    assert not _offer_made(
        chat, "cust-0007", "This is unacceptable, I'm disgusted with how I was treated. What does a Borealis cost?"
    )


def test_a_returning_customer_continues_where_they_left_off(chat: Choreography) -> None:
    first_socket = chat.connect("cust-0008")
    offered = turn(chat, first_socket, "I'd like to book a service appointment at Lakeside")
    second_socket = chat.connect("cust-0008")  # reconnected
    booked = turn(chat, second_socket, "the first one", offered["conversation_id"])
    assert "booked your service appointment" in booked["text"], booked["text"]
