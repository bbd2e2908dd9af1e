"""The staff desk over in-memory ports: visibility, taking, replies delivered once, handing back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.agents.staffdesk import Forbidden, HandoffError, NotFound, Staff, StaffDesk
from aicc.ports.connections import Connection
from aicc.ports.conversations import NewTurn
from contracts.common import Route
from contracts.events import ConversationReceived, CustomerProfile, EventMeta, ProfileLoaded
from contracts.frames import HandBack, ListQueue, StaffReply, TakeConversation

OEM = Staff("oem-1", "oem_staff", None)
NORTH = Staff("dealer-n", "dealer", "dlr-north")
LAKESIDE = Staff("dealer-l", "dealer", "dlr-lakeside")


class World:
    def __init__(self) -> None:
        self.conversations = MemoryConversations()
        self.handoff = MemoryHandoff(self.conversations)
        self.connections = MemoryConnections()
        self.pusher = MemoryPusher(self.connections)
        self.desk = StaffDesk(self.handoff, self.pusher, now=lambda: "2026-12-01T09:00:00+00:00")

    def routed(self, conversation: str, customer: str, route: Route, dealer: str | None = None) -> None:
        at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.conversations.start_turn(
            NewTurn(conversation, "t-" + conversation, customer, "customer", "1", "hi", at), opens=True
        )
        meta = EventMeta(
            turn_id="t-" + conversation,
            conversation_id=conversation,
            customer_id=customer,
            causation_id="r",
            producer="test",
            occurred_at=at,
        )
        received = ConversationReceived(meta=meta, text="hi", client_message_id="1", connection_id="c")
        profile = ProfileLoaded(
            meta=meta, known=True, profile=CustomerProfile(customer_id=customer, name="X", preferred_dealer=dealer)
        )
        self.handoff.enter_queue(received, route, intent=None, profile=profile)


@pytest.fixture
def world() -> World:
    w = World()
    w.routed("conv-sales", "cust-1", Route(kind="human", queue="sales", priority="normal"), dealer="dlr-north")
    w.routed("conv-road", "cust-2", Route(kind="human", queue="roadside", priority="urgent"))
    w.connections.record(Connection("cust-1-phone", "cust-1", "customer"), ttl_s=60)
    return w


def test_oem_staff_see_every_queue_most_urgent_first(world: World) -> None:
    assert [e.conversation_id for e in world.desk.list_queue(OEM)] == ["conv-road", "conv-sales"]


def test_dealer_staff_see_only_their_dealership(world: World) -> None:
    assert [e.conversation_id for e in world.desk.list_queue(NORTH)] == ["conv-sales"]
    assert world.desk.list_queue(LAKESIDE) == []
    with pytest.raises(Forbidden):
        world.desk.take("conv-sales", LAKESIDE)
    with pytest.raises(Forbidden):
        world.desk.take("conv-road", NORTH)


def test_one_staff_member_takes_it_and_the_customer_is_told(world: World) -> None:
    frame = world.desk.act(TakeConversation(action="takeConversation", conversation_id="conv-sales"), NORTH)
    assert frame.type == "handoff" and frame.status == "taken"
    (notice,) = world.pusher.frames("cust-1-phone")
    assert notice["status"] == "taken" and "sales team" in notice["text"]
    with pytest.raises(HandoffError) as refused:
        world.desk.take("conv-sales", OEM)
    assert refused.value.code == "conflict"
    with pytest.raises(NotFound):
        world.desk.take("conv-nowhere", OEM)


def test_a_reply_reaches_the_customer_once_per_message_id(world: World) -> None:
    world.desk.take("conv-sales", NORTH)
    reply = StaffReply(action="staffReply", conversation_id="conv-sales", text="Hello!", client_message_id="s1")
    for _ in range(2):
        frame = world.desk.act(reply, NORTH)
        assert frame.type == "message" and frame.sender == "staff" and frame.text == "Hello!"
    messages = [f for f in world.pusher.frames("cust-1-phone") if f["type"] == "message"]
    assert [m["text"] for m in messages] == ["Hello!"]
    with pytest.raises(Forbidden):
        world.desk.act(reply, OEM)  # not theirs


def test_handing_back_returns_the_conversation_to_the_assistant(world: World) -> None:
    world.desk.take("conv-sales", NORTH)
    with pytest.raises(Forbidden):
        world.desk.hand_back("conv-sales", Staff("dealer-n2", "dealer", "dlr-north"))
    frame = world.desk.act(HandBack(action="handBack", conversation_id="conv-sales"), NORTH)
    assert frame.type == "handoff" and frame.status == "returned"
    assert world.pusher.frames("cust-1-phone")[-1]["status"] == "returned"
    assert world.handoff.entry("conv-sales") is None
    # oem_staff may hand back a conversation they do not own.
    world.desk.take("conv-road", Staff("oem-2", "oem_staff", None))
    world.desk.hand_back("conv-road", OEM)
    assert world.handoff.entry("conv-road") is None


def test_customers_cannot_use_staff_actions(world: World) -> None:
    with pytest.raises(Forbidden):
        world.desk.act(ListQueue(action="listQueue"), Staff("cust-1", "customer", None))
