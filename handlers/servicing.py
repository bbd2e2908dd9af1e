"""Interactive servicing Lambda: booking intents and follow-ups of an active booking flow ->
ServiceActionTaken (slots offered, booked, moved, cancelled). Side effects run once per event."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.flows import DynamoFlows
from aicc.agents.servicing import Servicing
from aicc.runtime.consumer import single_input_agent
from contracts.events import EventMeta, IntentDetected, ServiceActionTaken

agent = Servicing(appointments=DynamoAppointments(), flows=DynamoFlows(), customers=DynamoDBCustomers())


def respond(intent: IntentDetected, meta: EventMeta) -> ServiceActionTaken:
    return agent.handle(intent, meta, now=datetime.now(UTC))


handler = single_input_agent("servicing", IntentDetected, respond)
