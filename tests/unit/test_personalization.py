"""Personalization over in-memory ports: the profile, and history only after the opening turn."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.agents.ingress import Ingress, Message, Sender
from aicc.agents.personalization import Personalization
from aicc.seed import demo_customers
from contracts.events import ConversationReceived, EventMeta

AVA = Sender("cust-0001", "customer")


def _meta(received: ConversationReceived) -> EventMeta:
    return received.meta.model_copy(update={"producer": "personalization", "occurred_at": datetime.now(UTC)})


def test_a_known_customer_gets_their_profile_and_the_conversation_so_far() -> None:
    conversations = MemoryConversations()
    ingress = Ingress(conversations, MemoryPusher(MemoryConnections()))
    personalize = Personalization(MemoryCustomers(demo_customers()), conversations)

    opening = ingress.accept(Message("hi", "1", None, "c1", "r1"), AVA).received
    assert opening is not None
    first = personalize(opening, _meta(opening))
    assert first.known and first.profile is not None and first.profile.name.startswith("Ava")
    assert first.vehicles and first.history == []
    conversations.record_reply(
        opening.meta.conversation_id, opening.meta.turn_id, reply="Hello Ava", intent="greeting", degraded=False
    )

    follow = ingress.accept(Message("book a service", "2", opening.meta.conversation_id, "c1", "r2"), AVA).received
    assert follow is not None
    second = personalize(follow, _meta(follow))
    assert [(h.text, h.reply, h.intent) for h in second.history] == [("hi", "Hello Ava", "greeting")]


def test_an_unknown_sender_is_not_known() -> None:
    conversations = MemoryConversations()
    ingress = Ingress(conversations, MemoryPusher(MemoryConnections()))
    received = ingress.accept(Message("hello", "1", None, "c1", "r1"), Sender("walk-in", "customer")).received
    assert received is not None
    loaded = Personalization(MemoryCustomers(), conversations)(received, _meta(received))
    assert loaded.known is False and loaded.profile is None
