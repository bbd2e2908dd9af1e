"""Issue 14, defect 10, the owner who is connected but does not answer: a message relayed to a staff
member carries a deadline (AICC_STAFF_REPLY_TIMEOUT_S). If the person has not answered by then, the
customer is told, the conversation goes back to its queue and the assistant answers the message; a
staff reply in time leaves everything as it is. A deadline delivered twice acts once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aicc.adapters.memory.admission import MemoryAdmission
from aicc.adapters.memory.bus import MemoryBus
from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.adapters.memory.replays import MemoryReplayResults
from aicc.adapters.memory.turns import MemoryTurns
from aicc.agents.coordinator import Coordinator
from aicc.agents.ingress import Accepted, Ingress, Message, Sender
from aicc.agents.overload import Gate
from aicc.agents.staffdesk import Staff, StaffDesk
from aicc.ports.connections import Connection
from contracts.common import Route
from contracts.events import ConversationReceived, EventDetail, ReplySent, TurnDeadline
from contracts.manifest import manifest
from tests.unit.test_coordinator import caused

AVA = Sender("cust-0001", "customer")
STAFF_A = Staff("staff-a", "oem_staff", None)


@dataclass
class Now:
    """The one clock of the ingress and the staff desk; the test moves it."""

    at: datetime = datetime(2026, 12, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class Desk:
    now: Now = field(default_factory=Now)
    conversations: MemoryConversations = field(default_factory=MemoryConversations)
    connections: MemoryConnections = field(default_factory=MemoryConnections)
    bus: MemoryBus = field(default_factory=MemoryBus)
    admission: MemoryAdmission = field(default_factory=MemoryAdmission)

    def __post_init__(self) -> None:
        self.pusher = MemoryPusher(self.connections)
        self.handoff = MemoryHandoff(self.conversations)
        self.ingress = Ingress(self.conversations, self.pusher, now=self.now, handoff=self.handoff)
        self.gate = Gate(self.admission, self.bus)
        self.staff = StaffDesk(self.handoff, self.pusher, now=lambda: self.now().isoformat())
        self.coordinator = Coordinator(
            turns=MemoryTurns().store,
            bus=self.bus,
            conversations=self.conversations,
            handoff=self.handoff,
            pusher=self.pusher,
            replays=MemoryReplayResults(),
            manifest=manifest(),
            deadline_s=lambda: 3,
            admission=self.admission,
        )
        self.connections.record(Connection("c1", AVA.user_id, "customer"), ttl_s=3600)
        self.connections.record(Connection("s1", STAFF_A.user_id, STAFF_A.role), ttl_s=3600)

    def send(self, text: str, cmid: str, conversation_id: str | None = None) -> Accepted:
        """A customer's message through the ingress and its gate, as ws_ingress does."""
        assert self.gate.admit()
        accepted = self.ingress.accept(Message(text, cmid, conversation_id, "c1", "req-1"), AVA)
        self.gate.hand_on(accepted)
        return accepted

    def taken(self) -> str:
        """A conversation staff-a took; the deadlines scheduled so far are set aside."""
        opened = self.send("I want to talk to a person", "m1")
        assert opened.received is not None
        self.handoff.enter_queue(opened.received, Route(kind="human", queue="customer_care"), intent=None, profile=None)
        self.staff.take(opened.ack.conversation_id, STAFF_A)
        self.bus.scheduled.clear()
        self.admission.release()  # as the opening's reply (not run here) does
        return opened.ack.conversation_id

    def relay_deadline(self) -> TurnDeadline:
        (deadline,) = [d for d in self.bus.scheduled if d.relayed_to is not None]
        return deadline

    def deliver(self, detail: EventDetail, source: str = "aicc.ingress") -> list[EventDetail]:
        """One event (a deadline from the queue, a message from the bus) to the aggregator."""
        event = caused(detail, source)
        self.coordinator.prepare([event])
        return list(self.coordinator.process(event))

    def frames(self, connection_id: str, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.pusher.frames(connection_id) if f["type"] == kind]


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("AICC_STAFF_REPLY_TIMEOUT_S", "90")
    return Desk()


def test_a_silent_owner_loses_the_conversation_and_the_assistant_answers(desk: Desk) -> None:
    conversation = desk.taken()
    relayed = desk.send("is anybody there?", "m2", conversation)
    assert relayed.outcome == "relayed" and [f["text"] for f in desk.frames("s1", "message")] == ["is anybody there?"]
    deadline = desk.relay_deadline()
    assert (deadline.deadline_s, deadline.relayed_to) == (90, "staff-a")
    assert deadline.received is not None and deadline.received.client_message_id == "m2"

    desk.now.advance(90)  # staff-a says nothing
    out = desk.deliver(deadline)
    # The customer is told, the person too, and the conversation waits for the next person.
    (told,) = desk.frames("c1", "handoff")[-1:]
    assert told["status"] == "queued" and "has not answered" in told["text"]
    assert desk.frames("s1", "handoff")[-1]["status"] == "queued"
    entry = desk.handoff.entry(conversation)
    assert entry is not None and (entry.status, entry.agent_id) == ("waiting", None)
    # The waiting message goes to the assistant, which answers it.
    (received,) = out
    assert isinstance(received, ConversationReceived) and received.client_message_id == "m2"
    assert desk.deliver(received, "aicc.aggregator") == []  # joined; its own turn deadline scheduled
    (turn_deadline,) = [d for d in desk.bus.scheduled if d.meta.turn_id == received.meta.turn_id and not d.relayed_to]
    sent = [d for d in desk.deliver(turn_deadline, "aicc.aggregator") if isinstance(d, ReplySent)]
    assert len(sent) == 1 and sent[0].delivered
    (reply,) = desk.frames("c1", "reply")[-1:]
    assert reply["client_message_id"] == "m2"
    assert desk.admission.in_flight() == 0


def test_a_deadline_delivered_twice_acts_once(desk: Desk) -> None:
    conversation = desk.taken()
    desk.send("is anybody there?", "m2", conversation)
    deadline = desk.relay_deadline()
    desk.now.advance(90)
    (received,) = desk.deliver(deadline)
    desk.deliver(received, "aicc.aggregator")
    frames = len(desk.pusher.frames("c1"))
    assert desk.deliver(deadline) == []  # again, after its message reached the assistant
    assert len(desk.pusher.frames("c1")) == frames
    assert [f["status"] for f in desk.frames("c1", "handoff")] == ["taken", "queued"]


def test_a_staff_reply_in_time_cancels_the_deadline(desk: Desk) -> None:
    conversation = desk.taken()
    desk.send("is anybody there?", "m2", conversation)
    desk.now.advance(40)
    desk.staff.reply(conversation, STAFF_A, text="Yes, looking at it now", client_message_id="s-1")
    desk.now.advance(50)
    frames = len(desk.pusher.frames("c1"))
    assert desk.deliver(desk.relay_deadline()) == []
    assert len(desk.pusher.frames("c1")) == frames  # nothing more for the customer
    entry = desk.handoff.entry(conversation)
    assert entry is not None and (entry.status, entry.agent_id) == ("taken", "staff-a")


def test_a_reply_before_the_message_is_no_answer_to_it(desk: Desk) -> None:
    conversation = desk.taken()
    desk.staff.reply(conversation, STAFF_A, text="Hello, I'm here", client_message_id="s-1")
    desk.now.advance(5)
    desk.send("my invoice is wrong", "m2", conversation)
    desk.now.advance(90)
    (received,) = desk.deliver(desk.relay_deadline())
    assert isinstance(received, ConversationReceived) and received.text == "my invoice is wrong"


def test_every_message_the_silent_owner_left_is_answered_the_customer_told_once(desk: Desk) -> None:
    conversation = desk.taken()
    desk.send("hello?", "m2", conversation)
    first = desk.relay_deadline()
    desk.bus.scheduled.clear()
    desk.now.advance(10)
    desk.send("still there?", "m3", conversation)
    second = desk.relay_deadline()
    desk.now.advance(90)
    answered = [d for deadline in (first, second) for d in desk.deliver(deadline)]
    assert [d.client_message_id for d in answered if isinstance(d, ConversationReceived)] == ["m2", "m3"]
    assert [f["status"] for f in desk.frames("c1", "handoff")] == ["taken", "queued"]


def test_a_conversation_another_person_took_meanwhile_is_theirs(desk: Desk) -> None:
    conversation = desk.taken()
    desk.send("hello?", "m2", conversation)
    deadline = desk.relay_deadline()
    desk.handoff.requeue(conversation, "staff-a")
    desk.handoff.take(conversation, "staff-b")
    desk.now.advance(90)
    assert desk.deliver(deadline) == []
    entry = desk.handoff.entry(conversation)
    assert entry is not None and entry.agent_id == "staff-b"


def test_a_safety_critical_message_answered_at_once_is_not_answered_again(desk: Desk) -> None:
    conversation = desk.taken()
    accepted = desk.send("My car will not start, I need help", "m2", conversation)
    assert accepted.received is not None and accepted.delivered == 1  # the assistant answers now
    (turn_deadline,) = [d for d in desk.bus.scheduled if d.relayed_to is None]
    desk.deliver(turn_deadline)  # answered (here by its turn deadline)
    replies = len(desk.frames("c1", "reply"))
    desk.now.advance(90)
    assert desk.deliver(desk.relay_deadline()) == []  # the person was silent: only the queue changes
    assert len(desk.frames("c1", "reply")) == replies
    assert desk.frames("c1", "handoff")[-1]["status"] == "queued"
    entry = desk.handoff.entry(conversation)
    assert entry is not None and entry.status == "waiting"
