"""Contract of the Handoff port: queues, one owner at a time, handing back, human messages once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.ports.conversations import Conversations, NewTurn
from aicc.ports.handoff import AlreadyTaken, Handoff
from contracts.common import Route
from contracts.events import ConversationReceived, CustomerProfile, EventMeta, IntentDetected, ProfileLoaded
from tests.contract.conftest import BACKENDS

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def ports(request: pytest.FixtureRequest) -> tuple[Conversations, Handoff]:
    if request.param == "memory":
        conversations = MemoryConversations()
        return conversations, MemoryHandoff(conversations)
    request.getfixturevalue("moto_tables")
    return DynamoDBConversations(), DynamoDBHandoff()


def meta(conversation: str, customer: str = "cust-1") -> EventMeta:
    return EventMeta(
        turn_id=f"turn-{conversation}",
        conversation_id=conversation,
        customer_id=customer,
        causation_id="req",
        producer="test",
        occurred_at=T0,
    )


def open_conversation(
    conversations: Conversations, conversation: str, customer: str = "cust-1"
) -> ConversationReceived:
    conversations.start_turn(
        NewTurn(conversation, f"turn-{conversation}", customer, "customer", "1", "help me", T0), opens=True
    )
    return ConversationReceived(
        meta=meta(conversation, customer), text="help me", client_message_id="1", connection_id="c"
    )


def profile(conversation: str, dealer: str | None) -> ProfileLoaded:
    return ProfileLoaded(
        meta=meta(conversation),
        known=True,
        profile=CustomerProfile(customer_id="cust-1", name="Ava", preferred_dealer=dealer),
    )


ROADSIDE = Route(kind="human", queue="roadside", priority="urgent")


def taken_by(ports: tuple[Conversations, Handoff], staff: str) -> ConversationReceived:
    """conv-1, routed to roadside and taken by `staff`; its first message."""
    conversations, handoff = ports
    received = open_conversation(conversations, "conv-1")
    handoff.enter_queue(received, ROADSIDE, intent=None, profile=None)
    handoff.take("conv-1", staff)
    return received


SALES = Route(kind="human", queue="sales", priority="high")


def test_a_routed_conversation_waits_in_its_queue(ports: tuple[Conversations, Handoff]) -> None:
    conversations, handoff = ports
    received = open_conversation(conversations, "conv-1")
    assert handoff.enter_queue(received, ROADSIDE, intent=None, profile=None) == "roadside"
    (entry,) = handoff.waiting_in("roadside")
    assert (entry.conversation_id, entry.customer_id, entry.queue) == ("conv-1", "cust-1", "roadside")
    assert (entry.priority, entry.status, entry.agent_id, entry.last_message) == ("urgent", "waiting", None, "help me")
    assert handoff.entry("conv-1") == entry
    assert handoff.waiting_in("customer_care") == []
    assert handoff.entry("conv-unknown") is None


def test_sales_wait_at_the_named_dealer_else_the_preferred_one(ports: tuple[Conversations, Handoff]) -> None:
    conversations, handoff = ports
    named = open_conversation(conversations, "conv-1")
    intent = IntentDetected.model_validate(
        {
            "meta": meta("conv-1").model_dump(),
            "text": "x",
            "intent": "purchase_inquiry",
            "confidence": 0.9,
            "entities": {"dealer": "dlr-lakeside"},
            "model": "test",
        }
    )
    assert (
        handoff.enter_queue(named, SALES, intent=intent, profile=profile("conv-1", "dlr-north")) == "sales#dlr-lakeside"
    )
    preferred = open_conversation(conversations, "conv-2")
    assert (
        handoff.enter_queue(preferred, SALES, intent=None, profile=profile("conv-2", "dlr-north")) == "sales#dlr-north"
    )
    entry = handoff.entry("conv-2")
    assert entry is not None and entry.dealer_id == "dlr-north"
    assert handoff.enter_queue(preferred, Route(kind="bot"), intent=None, profile=None) is None


def test_exactly_one_staff_member_takes_a_conversation(ports: tuple[Conversations, Handoff]) -> None:
    conversations, handoff = ports
    received = open_conversation(conversations, "conv-1")
    handoff.enter_queue(received, ROADSIDE, intent=None, profile=None)
    taken = handoff.take("conv-1", "staff-a")
    assert (taken.status, taken.agent_id) == ("taken", "staff-a")
    assert handoff.take("conv-1", "staff-a") == taken  # taking one's own again is fine
    with pytest.raises(AlreadyTaken):
        handoff.take("conv-1", "staff-b")
    assert handoff.entry("conv-1") == taken
    # Routing again while a person owns it changes nothing.
    assert handoff.enter_queue(received, ROADSIDE, intent=None, profile=None) is None
    # The owner shows on the conversation's next turn.
    started = conversations.start_turn(
        NewTurn("conv-1", "turn-2", "cust-1", "customer", "2", "still here", T0), opens=False
    )
    assert started.staff_owner == "staff-a"


def test_a_conversation_in_no_queue_cannot_be_taken(ports: tuple[Conversations, Handoff]) -> None:
    conversations, handoff = ports
    open_conversation(conversations, "conv-1")
    for conversation in ("conv-1", "conv-unknown"):
        with pytest.raises(AlreadyTaken):
            handoff.take(conversation, "staff-a")
    assert handoff.entry("conv-1") is None


def test_handing_back_leaves_every_queue_and_the_conversation_can_queue_again(
    ports: tuple[Conversations, Handoff],
) -> None:
    conversations, handoff = ports
    received = taken_by(ports, "staff-a")
    handoff.hand_back("conv-1")
    handoff.hand_back("conv-unknown")  # nothing to do
    assert handoff.entry("conv-1") is None and handoff.waiting_in("roadside") == []
    assert handoff.entry("conv-unknown") is None
    started = conversations.start_turn(NewTurn("conv-1", "turn-2", "cust-1", "customer", "2", "hi", T0), opens=False)
    assert started.staff_owner is None
    assert handoff.enter_queue(received, ROADSIDE, intent=None, profile=None) == "roadside"
    assert handoff.take("conv-1", "staff-b").agent_id == "staff-b"


def test_a_human_message_is_stored_once(ports: tuple[Conversations, Handoff]) -> None:
    conversations, handoff = ports
    open_conversation(conversations, "conv-1")
    fields = {"sender": "staff", "sender_id": "staff-a", "text": "On my way", "at": T0.isoformat()}
    assert handoff.record_message("conv-1", message_id="m1", **fields) is True
    assert handoff.record_message("conv-1", message_id="m1", **fields) is False
    assert handoff.record_message("conv-1", message_id="m2", **fields) is True
    # Human messages are not bot turns.
    assert conversations.turn_ids("conv-1") == ["turn-conv-1"]


def test_a_stranded_conversation_goes_back_to_its_queue_only_from_its_owner(
    ports: tuple[Conversations, Handoff],
) -> None:
    handoff = ports[1]
    taken_by(ports, "staff-a")
    assert handoff.requeue("conv-1", "staff-b") is False  # not theirs: nothing changes
    assert handoff.requeue("conv-1", "staff-a") is True
    entry = handoff.entry("conv-1")
    assert entry is not None and (entry.queue, entry.status, entry.agent_id) == ("roadside", "waiting", None)
    assert handoff.requeue("conv-1", "staff-a") is False  # already back: a retry changes nothing
    assert handoff.take("conv-1", "staff-b").agent_id == "staff-b"


def test_a_staff_reply_is_found_only_from_its_time_on(ports: tuple[Conversations, Handoff]) -> None:
    """What a relay's deadline asks: did the person answer after the customer wrote?"""
    handoff = ports[1]
    taken_by(ports, "staff-a")
    later = T0 + timedelta(seconds=30)
    assert handoff.staff_replied_since("conv-1", T0) is False  # nobody wrote yet
    handoff.record_message(
        "conv-1", message_id="c1", sender="customer", sender_id="cust-1", text="hi", at=later.isoformat()
    )
    assert handoff.staff_replied_since("conv-1", T0) is False  # the customer's own words are no answer
    handoff.record_message(
        "conv-1", message_id="s1", sender="staff", sender_id="staff-a", text="Hi!", at=later.isoformat()
    )
    assert handoff.staff_replied_since("conv-1", T0) is True
    assert handoff.staff_replied_since("conv-1", later) is True
    assert handoff.staff_replied_since("conv-1", later + timedelta(microseconds=1)) is False  # an older answer
    assert handoff.staff_replied_since("conv-2", T0) is False
