"""CDH insights Lambda: ConversationReceived -> InsightsComputed (recalls, warranty, service due...)."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.cdh import message_insights
from aicc.runtime.consumer import message_agent
from contracts.events import ConversationReceived, EventMeta, InsightsComputed

customers = DynamoDBCustomers()
appointments = DynamoAppointments()


def respond(message: ConversationReceived, meta: EventMeta) -> InsightsComputed:
    return message_insights(
        message, meta, customers=customers, appointments=appointments, today=datetime.now(UTC).date()
    )


handler = message_agent("cdh", respond)
