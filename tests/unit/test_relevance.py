"""Agents that act on some messages only react to every message and say when they have nothing to add,
so the reply waits for one hop (docs/decisions/0001-two-hop-reply.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.memory.appointments import MemoryAppointments
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.adapters.memory.flows import MemoryFlows
from aicc.agents.cockpit import message_guidance
from aicc.agents.recommendations import message_recommendations
from aicc.agents.servicing import Servicing, nothing_to_add
from aicc.seed import demo_customers
from contracts.events import ConversationReceived, EventMeta

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning
CUSTOMERS = MemoryCustomers(demo_customers())


def message(text: str, *, flow: str | None = None, customer: str = "cust-0001") -> ConversationReceived:
    meta = EventMeta(
        turn_id="turn-1", conversation_id="conv-1", customer_id=customer, causation_id="req-1",
        producer="ingress", occurred_at=NOW, flow=flow,
    )  # fmt: skip
    return ConversationReceived(meta=meta, text=text, client_message_id="m1", connection_id="c1")


def meta_for(received: ConversationReceived, producer: str) -> EventMeta:
    return received.meta.model_copy(update={"producer": producer, "causation_id": "evt-1"})


def test_the_cockpit_guides_a_warning_light_and_has_nothing_for_a_greeting() -> None:
    light = message("The tire pressure warning light just came on, what should I do?")
    guidance = message_guidance(light, meta_for(light, "cockpit"), customers=CUSTOMERS)
    assert guidance.relevant and guidance.steps
    hello = message("hi there!")
    assert message_guidance(hello, meta_for(hello, "cockpit"), customers=CUSTOMERS).relevant is False


def test_recommendations_answer_a_shopper_and_not_a_warning_light() -> None:
    shopping = message("What trims does the new Borealis come in and how much are they?")
    made = message_recommendations(shopping, meta_for(shopping, "recommendations"), customers=CUSTOMERS)
    assert made.relevant and made.items
    light = message("The tire pressure warning light just came on")
    idle = message_recommendations(light, meta_for(light, "recommendations"), customers=CUSTOMERS)
    assert idle.relevant is False and idle.items == []


def test_servicing_ignores_other_messages_before_any_side_effect() -> None:
    flows = MemoryFlows()
    agent = Servicing(appointments=MemoryAppointments(), flows=flows, customers=CUSTOMERS)
    hello = message("hi there!")
    idle = agent.respond(hello, meta_for(hello, "servicing"), now=NOW)
    assert idle.relevant is False and idle.action == "none"
    assert flows.load("conv-1", "servicing").state is None  # nothing stored, no flow opened
    booking = message("I'd like to book a service appointment at Lakeside")
    assert nothing_to_add(booking, meta_for(booking, "servicing")) is None
    offered = agent.respond(booking, meta_for(booking, "servicing"), now=NOW)
    assert offered.relevant and offered.action == "slots_offered" and offered.slots


def test_inside_an_open_booking_any_follow_up_reaches_servicing() -> None:
    follow_up = message("thanks, that's all", flow="servicing")
    assert nothing_to_add(follow_up, meta_for(follow_up, "servicing")) is None
    outside = message("thanks, that's all")
    assert nothing_to_add(outside, meta_for(outside, "servicing")) is not None
