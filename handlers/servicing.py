"""Interactive servicing Lambda: ConversationReceived -> ServiceActionTaken (slots offered, booked,
moved, cancelled; `relevant: false` for messages that are neither a booking request nor a follow-up
of an open booking). Side effects run once per event; the messages it ignores cost no idempotency
record."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.flows import DynamoFlows
from aicc.agents.intent import warm_local_reading
from aicc.agents.servicing import Servicing, nothing_to_add
from aicc.runtime.consumer import message_agent
from contracts.events import ConversationReceived, EventMeta, ServiceActionTaken

agent = Servicing(appointments=DynamoAppointments(), flows=DynamoFlows(), customers=DynamoDBCustomers())


def respond(message: ConversationReceived, meta: EventMeta) -> ServiceActionTaken:
    return agent.respond(message, meta, now=datetime.now(UTC))


warm_local_reading()  # at import: the init phase loads the model its relevance check reads with
handler = message_agent("servicing", respond, nothing_to_add=nothing_to_add)
