"""Cockpit assistant Lambda: ConversationReceived -> CockpitGuidance (feature help, warning lights;
`relevant: false` for other messages)."""

from __future__ import annotations

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.cockpit import message_guidance
from aicc.agents.intent import warm_local_reading
from aicc.runtime.consumer import message_agent
from contracts.events import CockpitGuidance, ConversationReceived, EventMeta

customers = DynamoDBCustomers()


def respond(message: ConversationReceived, meta: EventMeta) -> CockpitGuidance:
    return message_guidance(message, meta, customers=customers)


warm_local_reading()  # at import: the init phase loads the model its relevance check reads with
handler = message_agent("cockpit", respond)
