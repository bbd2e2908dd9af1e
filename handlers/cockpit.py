"""Cockpit assistant Lambda: IntentDetected (feature help, warning lights) -> CockpitGuidance."""

from __future__ import annotations

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.cockpit import customer_guidance
from aicc.runtime.consumer import single_input_agent
from contracts.events import CockpitGuidance, EventMeta, IntentDetected

customers = DynamoDBCustomers()


def respond(intent: IntentDetected, meta: EventMeta) -> CockpitGuidance:
    return customer_guidance(intent, meta, customers=customers)


handler = single_input_agent("cockpit", IntentDetected, respond)
