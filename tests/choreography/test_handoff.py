"""Human handoff over the staff actions: queue, take, relay both ways, hand back."""

from __future__ import annotations

import json

from tests.choreography.conftest import Choreography


def _staff(chat: Choreography, conn: str, action: str, **fields: str) -> dict:  # type: ignore[type-arg]
    return chat.send_raw(conn, json.dumps({"action": action, **fields}))


def _queues(chat: Choreography, conn: str) -> list[dict]:  # type: ignore[type-arg]
    """The queue frames pushed to a connection (a listQueue's answer is the route's response, not here)."""
    return [f for f in chat.frames(conn) if f["type"] == "queue"]


def test_roadside_customer_is_taken_by_staff_and_handed_back(chat: Choreography) -> None:
    customer = chat.connect("cust-0002")
    first = chat.send(customer, "I'm stranded on the I-5 with a flat tire and no spare, please send help")
    chat.pump()
    (reply,) = chat.replies(customer)
    assert reply["route"] == {"kind": "human", "queue": "roadside", "priority": "urgent"}
    conversation = first["conversation_id"]

    oem = chat.connect("oem-0001", role="oem_staff")
    queue = _staff(chat, oem, "listQueue")
    assert queue["type"] == "queue"
    (entry,) = [c for c in queue["conversations"] if c["conversation_id"] == conversation]
    assert entry["queue"] == "roadside" and entry["priority"] == "urgent" and entry["status"] == "waiting"

    taken = _staff(chat, oem, "takeConversation", conversation_id=conversation)
    assert taken["type"] == "handoff" and taken["status"] == "taken"
    assert any(f["type"] == "handoff" and f["status"] == "taken" for f in chat.frames(customer))

    # While a person owns the conversation the bot stays silent and the staff member hears the customer.
    chat.send(customer, "I'm at exit 42, blue Borealis", conversation_id=conversation)
    chat.pump()
    assert len(chat.replies(customer)) == 1
    relayed = [f for f in chat.frames(oem) if f["type"] == "message"]
    assert relayed and relayed[-1]["text"] == "I'm at exit 42, blue Borealis" and relayed[-1]["sender"] == "customer"

    answer = _staff(
        chat,
        oem,
        "staffReply",
        conversation_id=conversation,
        text="A tow truck is on its way.",
        client_message_id="staff-1",
    )
    assert answer["type"] == "message"
    to_customer = [f for f in chat.frames(customer) if f["type"] == "message"]
    assert to_customer[-1]["text"] == "A tow truck is on its way." and to_customer[-1]["sender"] == "staff"

    back = _staff(chat, oem, "handBack", conversation_id=conversation)
    assert back["status"] == "returned"
    chat.send(customer, "thanks!", conversation_id=conversation)
    chat.pump()
    assert len(chat.replies(customer)) == 2  # the bot answers again


def test_dealer_staff_see_only_their_dealership(chat: Choreography) -> None:
    customer = chat.connect("cust-0003")  # preferred dealer dlr-north (see customers.json)
    first = chat.send(customer, "I want to talk to a real person please")
    chat.pump()
    conversation = first["conversation_id"]
    with open("aicc/data/customers.json") as f:
        dealer = next(c for c in json.load(f) if c["customer_id"] == "cust-0003")["preferred_dealer"]
    other = "dlr-lakeside" if dealer != "dlr-lakeside" else "dlr-north"

    theirs = chat.connect("staff-a", role="dealer", dealer_id=dealer)
    stranger = chat.connect("staff-b", role="dealer", dealer_id=other)
    assert any(c["conversation_id"] == conversation for c in _staff(chat, theirs, "listQueue")["conversations"])
    assert all(c["conversation_id"] != conversation for c in _staff(chat, stranger, "listQueue")["conversations"])
    refused = _staff(chat, stranger, "takeConversation", conversation_id=conversation)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert _staff(chat, theirs, "takeConversation", conversation_id=conversation)["status"] == "taken"
    again = _staff(
        chat, chat.connect("staff-c", role="dealer", dealer_id=dealer), "takeConversation", conversation_id=conversation
    )
    assert again["type"] == "error" and again["code"] == "conflict"


def test_customers_cannot_use_staff_actions(chat: Choreography) -> None:
    customer = chat.connect("cust-0004")
    refused = _staff(chat, customer, "listQueue")
    assert refused["type"] == "error" and refused["code"] == "forbidden"


def test_a_roadside_turn_pushes_the_queue_to_connected_staff_who_may_see_it(chat: Choreography) -> None:
    oem = chat.connect("oem-0001", role="oem_staff")
    lakeside = chat.connect("staff-l", role="dealer", dealer_id="dlr-lakeside")  # cust-0002's dealership
    north = chat.connect("staff-n", role="dealer", dealer_id="dlr-north")
    customer = chat.connect("cust-0002")
    first = chat.send(customer, "I'm stranded on the I-5 with a flat tire and no spare, please send help")
    chat.pump()
    conversation = first["conversation_id"]

    # Nobody asked (no listQueue): the queue came to them.
    pushed = _queues(chat, oem)
    assert pushed and pushed[-1]["conversations"][0]["conversation_id"] == conversation
    assert pushed[-1]["conversations"][0]["priority"] == "urgent"
    assert [c["conversation_id"] for c in _queues(chat, lakeside)[-1]["conversations"]] == [conversation]
    assert _queues(chat, north) == []  # another dealership hears nothing

    _staff(chat, oem, "takeConversation", conversation_id=conversation)
    (entry,) = _queues(chat, lakeside)[-1]["conversations"]
    assert entry["status"] == "taken" and entry["agent_id"] == "oem-0001"
    assert _queues(chat, north) == []
