"""A turn stored and acknowledged whose events died with a process (a restart of the embedded stack;
on AWS a function that died between storing and publishing) is answered once when the customer
retries it: the ingress hands a retry of a turn still unanswered past its deadline to the assistant
again, and the coordinator's claim keeps it to one reply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aicc.adapters.memory.admission import MemoryAdmission
from aicc.adapters.memory.bus import MemoryBus
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.agents.ingress import Ingress, Message, Sender, resume_after_s
from aicc.agents.overload import Gate
from aicc.ports.connections import Connection
from contracts.common import Route
from contracts.events import ReplySent, TurnDeadline
from tests.unit.test_coordinator import SAMPLE, World, caused, event, only, run, world  # noqa: F401

AVA = Sender("cust-0001", "customer")


class Customer:
    """Ava's messages through the ingress, on the connection she has at the time."""

    def __init__(self, world: World) -> None:  # noqa: F811
        self.time = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.world = world
        self.ingress = Ingress(world.conversations, world.pusher, now=lambda: self.time)
        self.connection = "c1"
        world.pusher.connections.record(Connection("c1", AVA.user_id, AVA.role), ttl_s=3600)

    def reconnect(self, connection: str) -> None:
        self.world.pusher.connections.drop(self.connection)  # the old socket died with the stack
        self.connection = connection
        self.world.pusher.connections.record(Connection(connection, AVA.user_id, AVA.role), ttl_s=3600)

    def send(self, text: str, cmid: str, conversation_id: str | None = None) -> Message:
        return Message(text, cmid, conversation_id, self.connection, "req-1")

    def later(self, seconds: float) -> None:
        self.time += timedelta(seconds=seconds)


def test_a_turn_whose_events_were_lost_is_answered_once_on_its_retry(world: World) -> None:  # noqa: F811
    ava = Customer(world)
    admission = MemoryAdmission()
    world.coordinator.admission = admission
    message = ava.send("my tire pressure light is on", "m1")
    assert admission.admit(16)
    first = ava.ingress.accept(message, AVA)
    Gate(admission, MemoryBus()).hand_on(first)  # its message and deadline queued, then lost with the process

    ava.reconnect("c2")
    ava.later(resume_after_s() - 1)
    early = ava.ingress.accept(ava.send("my tire pressure light is on", "m1"), AVA)
    assert early.outcome == "duplicate" and early.received is None  # maybe only slow: not handed on again

    ava.later(2)
    bus = MemoryBus()
    gate = Gate(admission, bus)
    assert gate.admit()
    resumed = ava.ingress.accept(ava.send("my tire pressure light is on", "m1"), AVA)
    assert resumed.outcome == "resumed" and resumed.ack == first.ack
    published = gate.hand_on(resumed)
    assert published is not None and published.connection_id == "c2"
    assert admission.in_flight() == 1  # counted once, since its first acceptance

    deadline = only(bus.scheduled, TurnDeadline)
    run(world, caused(deadline, "aicc.ingress"), caused(published, "aicc.ingress"))
    (reply,) = [f for f in world.pusher.frames("c2") if f["type"] == "reply"]
    assert reply["client_message_id"] == "m1" and reply["turn_id"] == first.ack.turn_id
    assert world.pusher.frames("c1") == []
    assert admission.in_flight() == 0

    ava.later(60)
    answered = ava.ingress.accept(ava.send("my tire pressure light is on", "m1"), AVA)
    assert answered.outcome == "duplicate" and answered.received is None


def test_a_retry_in_a_conversation_a_person_owns_is_not_handed_to_the_assistant(world: World) -> None:  # noqa: F811
    ava = Customer(world)
    opened = ava.ingress.accept(ava.send("I need a person", "m1"), AVA)
    assert opened.received is not None
    handoff = MemoryHandoff(world.conversations)
    handoff.enter_queue(opened.received, Route(kind="human", queue="customer_care"), intent=None, profile=None)
    handoff.take(opened.ack.conversation_id, "staff-a")
    world.pusher.connections.record(Connection("s1", "staff-a", "oem_staff"), ttl_s=3600)
    ava.ingress.accept(ava.send("are you there?", "m2", opened.ack.conversation_id), AVA)
    ava.later(resume_after_s() + 60)
    retry = ava.ingress.accept(ava.send("are you there?", "m2", opened.ack.conversation_id), AVA)
    assert retry.outcome == "duplicate" and retry.received is None


def test_a_reply_whose_socket_is_gone_follows_the_customer_to_the_socket_they_retried_on(
    world: World,  # noqa: F811
) -> None:
    # The coordinator recorded the message (with the connection it came on), then the stack died.
    run(world, event("ConversationReceived"))
    world.pusher.close(SAMPLE.connection_id)
    world.pusher.connections.record(Connection("c2", SAMPLE.meta.customer_id, SAMPLE.role), ttl_s=3600)
    (deadline,) = world.bus.scheduled
    sent: ReplySent = only(run(world, caused(deadline, "aicc.aggregator")), ReplySent)
    assert sent.delivered
    (reply,) = world.pusher.frames("c2")
    assert reply["type"] == "reply" and reply["client_message_id"] == SAMPLE.client_message_id
