"""One turn composed in-process from the agents' own results (intent, sentiment, knowledge, profile, CDH
insights), as the aggregator composes it: what a demo customer reads, without a stack."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.memory.appointments import MemoryAppointments
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.agents.cdh import message_insights
from aicc.agents.compose import answer
from aicc.agents.intent import local_reading
from aicc.agents.knowledge import retrieve
from aicc.agents.personalization import build_profile
from aicc.agents.sentiment import analyze
from aicc.seed import demo_customers
from contracts.common import DialogState
from contracts.events import ConversationReceived, EventMeta, ResponseComposed, TurnAssembled, TurnResults

CUSTOMERS = {c["customer_id"]: c for c in demo_customers()}
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def reply(customer_id: str, text: str, dialog: DialogState | None = None) -> ResponseComposed:
    """The reply to `text` from a demo customer, in a conversation that has established `dialog`."""
    return answer(*turn_results(customer_id, text, dialog or DialogState()))


def turn_results(customer_id: str, text: str, dialog: DialogState) -> tuple[TurnAssembled, EventMeta]:
    """A turn assembled from the agents' own results, in a conversation at `dialog`."""
    meta = EventMeta(
        turn_id="turn-1", conversation_id="conv-1", customer_id=customer_id, causation_id="req-1",
        producer="ingress", occurred_at=NOW,
    )  # fmt: skip
    message = ConversationReceived(meta=meta, text=text, client_message_id="m1", connection_id="conn-1", dialog=dialog)
    customers = MemoryCustomers(list(CUSTOMERS.values()))
    contributions = [
        message,
        local_reading(message, meta),
        analyze(message, meta),
        retrieve(message, meta),
        build_profile(meta, CUSTOMERS[customer_id], []),
        message_insights(message, meta, customers=customers, appointments=MemoryAppointments(), today=NOW.date()),
    ]
    results = TurnResults()
    for result in contributions:
        results = results.adding(result)
    return TurnAssembled(meta=meta, results=results), meta
