"""Issue 14, defect 10: a customer whose conversation a staff member took, and who then went
offline, got only acks. Now the conversation goes back to the queue, the customer is told and the
assistant answers; a safety-critical message is always answered by the assistant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.agents.ingress import Accepted, Ingress, Message, Sender
from aicc.ports.connections import Connection
from contracts.common import Route

AVA = Sender("cust-0001", "customer")


class Desk:
    def __init__(self) -> None:
        self.conversations = MemoryConversations()
        self.connections = MemoryConnections()
        self.pusher = MemoryPusher(self.connections)
        self.handoff = MemoryHandoff(self.conversations)
        self.ingress = Ingress(
            self.conversations, self.pusher, now=lambda: datetime(2026, 12, 1, 9, tzinfo=UTC), handoff=self.handoff
        )
        self.connections.record(Connection("c1", AVA.user_id, "customer"), ttl_s=60)

    def send(self, text: str, cmid: str, conversation_id: str | None = None) -> Accepted:
        return self.ingress.accept(Message(text, cmid, conversation_id, "c1", "req-1"), AVA)

    def taken_by(self, staff: str, *, online: bool, queue: str = "customer_care") -> str:
        opened = self.send("I want to talk to a person", "m1")
        assert opened.received is not None
        route = Route(kind="human", queue=queue)
        self.handoff.enter_queue(opened.received, route, intent=None, profile=None)
        self.handoff.take(opened.ack.conversation_id, staff)
        if online:
            self.connections.record(Connection("s1", staff, "oem_staff"), ttl_s=60)
        return opened.ack.conversation_id


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_an_offline_owner_gives_the_conversation_back_and_the_assistant_answers(desk: Desk) -> None:
    conversation = desk.taken_by("staff-a", online=False)
    accepted = desk.send("is anybody there?", "m2", conversation)
    assert accepted.outcome == "requeued" and accepted.received is not None  # the assistant answers it
    (told,) = [f for f in desk.pusher.frames("c1") if f["type"] == "handoff"]
    assert told["status"] == "queued" and "not connected" in told["text"]
    entry = desk.handoff.entry(conversation)
    assert entry is not None and entry.status == "waiting" and entry.agent_id is None
    # The next staff member can take it; their messages are relayed again.
    desk.handoff.take(conversation, "staff-b")
    desk.connections.record(Connection("s2", "staff-b", "oem_staff"), ttl_s=60)
    assert desk.send("thanks", "m3", conversation).outcome == "relayed"


def test_a_safety_critical_message_is_answered_even_while_a_person_owns_it(desk: Desk) -> None:
    conversation = desk.taken_by("staff-a", online=True)
    accepted = desk.send("My car will not start, I need help", "m2", conversation)
    assert accepted.received is not None and accepted.delivered == 1  # the assistant and the person
    assert desk.send("ok, thank you", "m3", conversation).outcome == "relayed"
    entry = desk.handoff.entry(conversation)
    assert entry is not None and entry.agent_id == "staff-a"  # still theirs


def test_the_roadside_team_answers_a_roadside_case_themselves(desk: Desk) -> None:
    conversation = desk.taken_by("staff-a", online=True, queue="roadside")
    assert desk.send("the tow truck is not here yet", "m2", conversation).outcome == "relayed"
