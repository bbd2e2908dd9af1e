"""Playing servicing turns the way the ingress and the intent agent would, over any adapters.

Shared by the unit tests (in-memory adapters) and the integration tests (DynamoDB on moto).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aicc.agents.compose import ComposedReply, _servicing
from aicc.agents.servicing import FLOW, FlowState, Servicing
from aicc.nlu import extract_entities
from aicc.ports.appointments import Appointments, Booking
from aicc.ports.customers import Customers
from aicc.ports.flows import Flows
from contracts.common import Intent
from contracts.events import EventMeta, IntentDetected, ServiceActionTaken

# Monday 8 June 2026, 08:00 in Los Angeles (every demo dealer's timezone): the earliest bookable hour is 10:00.
NOW = datetime(2026, 6, 8, 15, 0, tzinfo=UTC)
FRIDAY = date(2026, 6, 12)

CUSTOMERS: list[dict[str, Any]] = [
    {
        "customer_id": "cust-north",
        "name": "Nora North",
        "preferred_dealer": "dlr-north",
        "vehicles": [{"vin": "5ARAX1E23MH000126", "model": "Aster", "model_year": 2021}],
    },
    {"customer_id": "cust-harbor", "name": "Hal Harbor", "preferred_dealer": "dlr-harbor", "vehicles": []},
    {"customer_id": "cust-nowhere", "name": "Nell Nowhere", "vehicles": []},
]


@dataclass
class World:
    """The servicing agent's ports, and how a conversation comes to exist (the ingress's META record)."""

    appointments: Appointments
    flows: Flows
    customers: Customers
    open_conversation: Callable[[str, str], None]

    def agent(self) -> Servicing:
        return Servicing(appointments=self.appointments, flows=self.flows, customers=self.customers)

    def held(self, slot_id: str) -> Booking | None:
        return self.appointments.get(slot_id)


class Chat:
    """One conversation: its owner is the customer; each `say` is one turn through the agent."""

    def __init__(self, world: World, customer_id: str, conversation_id: str | None = None) -> None:
        self.world = world
        self.customer_id = customer_id
        self.conversation_id = conversation_id or f"conv-{uuid.uuid4().hex[:8]}"
        world.open_conversation(self.conversation_id, customer_id)

    def say(self, text: str, intent: Intent = "other", *, now: datetime = NOW, turn_id: str | None = None) -> Any:
        meta = EventMeta(
            turn_id=turn_id or uuid.uuid4().hex,
            conversation_id=self.conversation_id,
            customer_id=self.customer_id,
            causation_id="evt-" + uuid.uuid4().hex,
            producer="servicing",
            occurred_at=now,
            flow=self.flow(),
        )
        detected = IntentDetected(
            meta=meta.model_copy(update={"producer": "intent"}),
            text=text,
            intent=intent,
            confidence=0.9,
            entities=extract_entities(text, now),
            model="test",
        )
        result = self.world.agent().handle(detected, meta, now=now)
        assert isinstance(result, ServiceActionTaken)
        # The result crosses the bus as JSON: it must survive the trip.
        return ServiceActionTaken.model_validate_json(result.model_dump_json())

    def flow(self) -> str | None:
        return self.world.flows.load(self.conversation_id, FLOW).flag

    def state(self) -> FlowState:
        stored = self.world.flows.load(self.conversation_id, FLOW).state
        assert stored is not None
        return FlowState.from_document(stored)


def local(moment: datetime) -> datetime:
    assert moment.utcoffset() == timedelta(hours=-7)  # PDT: slots are shown in the dealer's wall-clock time
    return moment


@dataclass
class Seen:
    """What the customer sees of a servicing result: the sentences and the buttons."""

    text: str
    buttons: dict[str, str]  # label -> what the button sends


def seen(result: ServiceActionTaken) -> Seen:
    reply = ComposedReply(text="")
    text = " ".join(_servicing(result, reply))
    return Seen(text=text, buttons={action.label: action.action for action in reply.quick_actions})


def memory_world() -> World:
    """The servicing agent's ports in memory, with the test customers."""
    from aicc.adapters.memory.appointments import MemoryAppointments
    from aicc.adapters.memory.customers import MemoryCustomers
    from aicc.adapters.memory.flows import MemoryFlows

    flows = MemoryFlows()
    return World(
        appointments=MemoryAppointments(),
        flows=flows,
        customers=MemoryCustomers(CUSTOMERS),
        open_conversation=flows.open,
    )
