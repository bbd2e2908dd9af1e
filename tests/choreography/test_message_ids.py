"""Client message ids reused across conversations: every new message is answered, a retry once.

Clients may number their message ids per conversation; see docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

from tests.choreography.conftest import Choreography


def sent(chat: Choreography, conn: str, text: str, cmid: str, conversation_id: str | None = None) -> dict[str, Any]:
    ack = chat.send(conn, text, conversation_id=conversation_id, client_message_id=cmid)
    assert ack["type"] == "ack", ack
    return ack


def reply_to(chat: Choreography, conn: str, ack: dict[str, Any]) -> dict[str, Any]:
    (reply,) = [r for r in chat.replies(conn) if r["turn_id"] == ack["turn_id"]]
    assert reply["conversation_id"] == ack["conversation_id"] and reply["text"].strip()
    return reply


def test_the_same_message_id_in_two_conversations_gets_two_answers(chat: Choreography) -> None:
    conn = chat.connect("cust-0001")
    a = sent(chat, conn, "How do I pair my phone with Bluetooth?", "a-0")
    chat.pump()
    in_a = sent(chat, conn, "how often should I rotate my tires?", "m1", a["conversation_id"])
    chat.pump()
    b = sent(chat, conn, "What does the tire pressure light mean?", "b-0")
    chat.pump()
    in_b = sent(chat, conn, "how often should I rotate my tires?", "m1", b["conversation_id"])
    chat.pump()
    assert in_a["turn_id"] != in_b["turn_id"] and a["conversation_id"] != b["conversation_id"]
    assert reply_to(chat, conn, in_a)["turn_id"] != reply_to(chat, conn, in_b)["turn_id"]
    assert len(chat.replies(conn)) == 4


def test_a_booking_quick_action_reused_in_another_conversation_books_and_says_so(chat: Choreography) -> None:
    conn = chat.connect("cust-0007")
    first = sent(chat, conn, "Can I book a tire rotation?", "1")
    chat.pump()
    offered = reply_to(chat, conn, first)
    action = next(a["action"] for a in offered["quick_actions"] if a["action"].startswith("Book slot "))
    # The client numbers per conversation: the quick action is message "2" of this conversation.
    booked = sent(chat, conn, action, "2", first["conversation_id"])
    chat.pump()
    assert "booked your service appointment" in reply_to(chat, conn, booked)["text"]

    second = sent(chat, conn, "I need to book an oil change too", "1")
    chat.pump()
    assert second["conversation_id"] != first["conversation_id"]
    offered_again = reply_to(chat, conn, second)
    other = next(
        a["action"]
        for a in offered_again["quick_actions"]
        if a["action"].startswith("Book slot ") and a["action"] != action
    )
    booked_again = sent(chat, conn, other, "2", second["conversation_id"])
    chat.pump()
    assert booked_again["turn_id"] != booked["turn_id"]
    assert "booked your service appointment" in reply_to(chat, conn, booked_again)["text"]


def test_two_conversations_opened_with_message_id_1_each_get_their_reply(chat: Choreography) -> None:
    conn = chat.connect("cust-0003")
    first = sent(chat, conn, "Is there any recall on my car?", "1")
    second = sent(chat, conn, "How do I pair my phone with Bluetooth?", "1")
    chat.pump()
    assert first["conversation_id"] != second["conversation_id"]
    assert first["turn_id"] != second["turn_id"]
    reply_to(chat, conn, first)
    reply_to(chat, conn, second)


def test_a_retry_in_the_same_conversation_is_one_turn_and_one_reply(chat: Choreography) -> None:
    conn = chat.connect("cust-0005")
    opened = sent(chat, conn, "hi", "1")
    again = sent(chat, chat.connect("cust-0005"), "hi", "1")  # the opening, resent after a reconnect
    assert again == opened
    chat.pump()
    follow = sent(chat, conn, "how often should I rotate my tires?", "2", opened["conversation_id"])
    retry = sent(chat, conn, "how often should I rotate my tires?", "2", opened["conversation_id"])
    assert retry == follow
    chat.pump()
    assert [r["turn_id"] for r in chat.replies(conn)] == [opened["turn_id"], follow["turn_id"]]
