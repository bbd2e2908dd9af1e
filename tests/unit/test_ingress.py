"""The ingress's decisions over in-memory ports: turns stored once, retries, reused message ids,
relaying to a staff owner, the ConversationReceived handed to the assistant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.agents.ingress import Accepted, Ingress, Message, Sender
from aicc.agents.message_ids import OPENING_RETRY_WINDOW_S, is_first_turn
from aicc.ports.connections import Connection
from aicc.ports.conversations import NotYourConversation
from contracts.common import Route

AVA = Sender("cust-0001", "customer")


class Desk:
    def __init__(self) -> None:
        self.time = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.conversations = MemoryConversations()
        self.connections = MemoryConnections()
        self.pusher = MemoryPusher(self.connections)
        self.ingress = Ingress(self.conversations, self.pusher, now=lambda: self.time)

    def send(
        self, text: str, cmid: str, conversation_id: str | None = None, sender: Sender = AVA, connection: str = "c1"
    ) -> Accepted:
        return self.ingress.accept(Message(text, cmid, conversation_id, connection, "req-1"), sender)

    def later(self, seconds: float) -> None:
        self.time += timedelta(seconds=seconds)


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_a_message_becomes_a_turn_handed_to_the_assistant(desk: Desk) -> None:
    accepted = desk.send("hello", "m1")
    assert accepted.outcome == "accepted" and accepted.received is not None
    received = accepted.received
    assert received.meta.turn_id == accepted.ack.turn_id
    assert received.meta.conversation_id == accepted.ack.conversation_id
    assert (received.text, received.client_message_id, received.connection_id) == ("hello", "m1", "c1")
    assert (received.meta.customer_id, received.meta.causation_id, received.meta.producer) == (
        "cust-0001",
        "req-1",
        "ingress",
    )
    assert desk.conversations.turn_ids(accepted.ack.conversation_id) == [accepted.ack.turn_id]


def test_a_retry_is_acked_again_and_handed_on_once(desk: Desk) -> None:
    first = desk.send("hello", "m1")
    again = desk.send("hello", "m1", connection="c2")  # reconnected
    assert again.ack == first.ack and again.outcome == "duplicate" and again.received is None
    follow = desk.send("and more", "m2", first.ack.conversation_id)
    retry = desk.send("and more", "m2", first.ack.conversation_id)
    assert retry.ack == follow.ack and retry.outcome == "duplicate"


def test_a_message_id_reused_in_another_conversation_is_a_new_turn(desk: Desk) -> None:
    a = desk.send("first topic", "a-open")
    b = desk.send("second topic", "b-open")
    in_a = desk.send("the same words", "m1", a.ack.conversation_id)
    in_b = desk.send("the same words", "m1", b.ack.conversation_id)
    assert in_a.outcome == in_b.outcome == "accepted"
    assert in_a.ack.turn_id != in_b.ack.turn_id
    assert in_b.ack.conversation_id == b.ack.conversation_id


def test_conversations_numbered_from_1_each_open_their_own_conversation(desk: Desk) -> None:
    first = desk.send("oil change please", "1")
    second = desk.send("what is my warranty?", "1")
    assert second.outcome == "accepted"
    assert first.ack.conversation_id != second.ack.conversation_id
    assert first.ack.turn_id != second.ack.turn_id


def test_the_same_opening_later_is_a_new_conversation_and_its_retry_maps_onto_it(desk: Desk) -> None:
    first = desk.send("hi", "1")
    desk.later(OPENING_RETRY_WINDOW_S / 2)
    again = desk.send("hi", "1")
    # Within the window: a retry of the same turn (never answered here, so handed on again).
    assert again.ack == first.ack and again.outcome == "resumed"
    desk.later(OPENING_RETRY_WINDOW_S * 10)
    second = desk.send("hi", "1")
    assert second.outcome == "accepted" and second.ack.conversation_id != first.ack.conversation_id
    desk.later(1)
    retry = desk.send("hi", "1")
    assert retry.outcome == "duplicate" and retry.ack == second.ack
    desk.later(OPENING_RETRY_WINDOW_S * 10)
    third = desk.send("hi", "1")
    assert third.outcome == "accepted"
    assert len({first.ack.conversation_id, second.ack.conversation_id, third.ack.conversation_id}) == 3


def test_the_opening_message_is_the_first_turn_and_no_other_is(desk: Desk) -> None:
    first = desk.send("hi", "1")
    desk.later(OPENING_RETRY_WINDOW_S * 2)
    second = desk.send("hi", "1")  # a second conversation with the same opening
    follow = desk.send("hi", "2", first.ack.conversation_id)
    assert is_first_turn(first.ack.conversation_id, AVA.user_id, "1", "hi")
    assert is_first_turn(second.ack.conversation_id, AVA.user_id, "1", "hi")
    assert not is_first_turn(follow.ack.conversation_id, AVA.user_id, "2", "hi")


def test_someone_elses_conversation_is_refused(desk: Desk) -> None:
    opened = desk.send("hello", "m1")
    with pytest.raises(NotYourConversation):
        desk.send("let me in", "m1", opened.ack.conversation_id, sender=Sender("cust-0002", "customer"))
    with pytest.raises(NotYourConversation):
        desk.send("hello?", "m2", "no-such-conversation")


def test_a_conversation_a_person_owns_is_relayed_to_them_not_the_assistant(desk: Desk) -> None:
    opened = desk.send("I need a person", "m1")
    assert opened.received is not None
    handoff = MemoryHandoff(desk.conversations)
    handoff.enter_queue(opened.received, Route(kind="human", queue="customer_care"), intent=None, profile=None)
    handoff.take(opened.ack.conversation_id, "staff-a")
    desk.connections.record(Connection("s1", "staff-a", "oem_staff"), ttl_s=60)
    relayed = desk.send("are you there?", "m2", opened.ack.conversation_id)
    assert relayed.outcome == "relayed" and relayed.received is None and relayed.delivered == 1
    (frame,) = desk.pusher.frames("s1")
    assert frame["type"] == "message" and frame["sender"] == "customer" and frame["text"] == "are you there?"
    assert frame["client_message_id"] == "m2" and frame["conversation_id"] == opened.ack.conversation_id


def test_the_flow_of_the_conversation_travels_with_the_turn(desk: Desk) -> None:
    opened = desk.send("book a service", "m1")
    desk.conversations.set_flow(opened.ack.conversation_id, "servicing")
    follow = desk.send("the second one", "m2", opened.ack.conversation_id)
    assert follow.received is not None and follow.received.meta.flow == "servicing"
