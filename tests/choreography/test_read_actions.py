"""Reading a conversation over the socket: the transcript (customer and staff), the customer panel
and the agent assist, with the staff desk's visibility."""

from __future__ import annotations

import json
from typing import Any

from tests.choreography.conftest import Choreography

ROADSIDE = "I'm stranded on the I-5 with a flat tire and no spare, please send help"


def _act(chat: Choreography, conn: str, action: str, **fields: str) -> dict[str, Any]:
    return chat.send_raw(conn, json.dumps({"action": action, **fields}))


def _handed_off(chat: Choreography) -> tuple[str, str, str, dict[str, Any]]:
    """cust-0002's roadside conversation, taken by OEM staff, one relayed message and one staff reply."""
    customer = chat.connect("cust-0002")
    conversation = chat.send(customer, ROADSIDE, client_message_id="m-1")["conversation_id"]
    chat.pump()
    (reply,) = chat.replies(customer)
    oem = chat.connect("oem-0001", role="oem_staff")
    assert _act(chat, oem, "takeConversation", conversation_id=conversation)["status"] == "taken"
    chat.send(customer, "I'm at exit 42, blue Borealis", conversation_id=conversation, client_message_id="m-2")
    chat.pump()
    answer = {"text": "A tow truck is on its way.", "client_message_id": "s-1"}
    _act(chat, oem, "staffReply", conversation_id=conversation, **answer)
    return customer, oem, conversation, reply


def test_the_customer_reads_their_whole_conversation_without_the_analysis(chat: Choreography) -> None:
    customer, _, conversation, reply = _handed_off(chat)
    frame = _act(chat, customer, "getTranscript", conversation_id=conversation)
    assert frame["type"] == "transcript" and frame["customer_id"] == "cust-0002"
    assert frame["handoff"] == {"status": "taken", "queue": "roadside", "agent_id": "oem-0001"}
    said = [(e["sender"], e["text"], e["client_message_id"]) for e in frame["entries"]]
    assert said == [
        ("customer", ROADSIDE, "m-1"),
        ("assistant", reply["text"], "m-1"),
        ("customer", "I'm at exit 42, blue Borealis", "m-2"),
        ("staff", "A tow truck is on its way.", None),
    ]
    answered = frame["entries"][1]
    assert answered["quick_actions"] == reply["quick_actions"] and answered["sources"] == reply["sources"]
    assert all(e["intent"] is None and e["sentiment"] is None and e["route"] is None for e in frame["entries"])


def test_staff_read_each_turns_intent_sentiment_and_route(chat: Choreography) -> None:
    _, oem, conversation, reply = _handed_off(chat)
    frame = _act(chat, oem, "getTranscript", conversation_id=conversation)
    first = frame["entries"][0]
    assert first["sender"] == "customer" and first["intent"] and first["sentiment"]
    assert first["route"] == reply["route"] == {"kind": "human", "queue": "roadside", "priority": "urgent"}


def test_the_panel_shows_the_customers_vehicles_warranty_and_consent(chat: Choreography) -> None:
    _, oem, conversation, _ = _handed_off(chat)
    panel = _act(chat, oem, "getCustomerPanel", conversation_id=conversation)
    assert panel["type"] == "customer_panel" and panel["name"] == "Liam Garcia"
    assert panel["marketing_consent"] is True
    (vehicle,) = panel["vehicles"]
    assert (vehicle["vin"], vehicle["model"], vehicle["year"]) == ("5ARBX1E26PH000162", "Borealis", 2023)
    assert vehicle["warranty"] and {w["status"] for w in vehicle["warranty"]} <= {"active", "expired"}
    assert all(w["coverage"] and w["until"] for w in vehicle["warranty"])


def test_a_dealer_sees_the_customers_appointments_at_their_own_dealership_only(chat: Choreography) -> None:
    from datetime import UTC, datetime

    from aicc.adapters.dynamodb.appointments import DynamoAppointments
    from aicc.ports.appointments import Booking
    from contracts.events import Appointment, Slot

    _, oem, conversation, _ = _handed_off(chat)  # cust-0002's roadside case: dlr-lakeside is theirs
    for n, dealer in enumerate(("dlr-lakeside", "dlr-north"), start=1):
        start = datetime(2030, 3, 4, 9 + n, tzinfo=UTC)
        slot = Slot(slot_id=f"service#{dealer}#{start.isoformat()}#1", dealer_id=dealer, start=start)
        appointment = Appointment(appointment_id=f"apt-{n}", kind="service", slot=slot, status="booked")
        booking = Booking(appointment, "cust-0002", conversation, f"turn-{n}", datetime(2030, 3, 1, tzinfo=UTC))
        assert DynamoAppointments().hold(booking) is not None
    lakeside = chat.connect("staff-y", role="dealer", dealer_id="dlr-lakeside")

    def seen_by(conn: str) -> set[str]:
        panel = _act(chat, conn, "getCustomerPanel", conversation_id=conversation)
        return {a["dealer_id"] for a in panel["appointments"]}

    assert seen_by(oem) == {"dlr-lakeside", "dlr-north"}
    assert seen_by(lakeside) == {"dlr-lakeside"}


def test_assist_suggests_sourced_replies_and_summarises_the_handoff(chat: Choreography) -> None:
    _, oem, conversation, _ = _handed_off(chat)
    assist = _act(chat, oem, "getAssist", conversation_id=conversation)
    assert assist["type"] == "assist"
    assert "roadside" in assist["summary"] and "2 customer messages" in assist["summary"]
    assert assist["suggestions"], "the knowledge base has roadside passages"
    for suggestion in assist["suggestions"]:
        assert suggestion["text"] and suggestion["sources"][0]["uri"].startswith("http")
    assert "roadside" in assist["suggestions"][0]["sources"][0]["uri"]


def test_assist_answers_the_latest_question_the_person_was_asked(chat: Choreography) -> None:
    """A question relayed to the person (no agent saw it) is what the suggestions answer first."""
    customer, oem, conversation, _ = _handed_off(chat)
    question = "Does my warranty cover the tow?"
    chat.send(customer, question, conversation_id=conversation, client_message_id="m-3")
    chat.pump()
    assist = _act(chat, oem, "getAssist", conversation_id=conversation)
    first = assist["suggestions"][0]
    assert "warranty" in first["text"].lower() or "warranty" in first["sources"][0]["title"].lower()


def test_nobody_else_reads_it(chat: Choreography) -> None:
    customer, _, conversation, _ = _handed_off(chat)
    stranger = chat.connect("cust-0001")
    assert _act(chat, stranger, "getTranscript", conversation_id=conversation)["code"] == "forbidden"
    assert _act(chat, customer, "getTranscript", conversation_id="no-such-conversation")["code"] == "not_found"
    for action in ("getCustomerPanel", "getAssist"):
        assert _act(chat, customer, action, conversation_id=conversation)["code"] == "forbidden"
    # A roadside conversation carries the customer's dealership: staff of another one see nothing of it.
    dealer = chat.connect("staff-x", role="dealer", dealer_id="dlr-north")  # cust-0002 is dlr-lakeside's
    for action in ("getTranscript", "getCustomerPanel", "getAssist"):
        assert _act(chat, dealer, action, conversation_id=conversation)["code"] == "forbidden"
    theirs = chat.connect("staff-y", role="dealer", dealer_id="dlr-lakeside")
    assert _act(chat, theirs, "getTranscript", conversation_id=conversation)["type"] == "transcript"
