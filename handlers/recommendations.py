"""Product recommendations Lambda: IntentDetected (buying intents) -> RecommendationsMade."""

from __future__ import annotations

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.recommendations import customer_recommendations
from aicc.runtime.consumer import single_input_agent
from contracts.events import EventMeta, IntentDetected, RecommendationsMade

customers = DynamoDBCustomers()


def respond(intent: IntentDetected, meta: EventMeta) -> RecommendationsMade:
    return customer_recommendations(intent, meta, customers=customers)


handler = single_input_agent("recommendations", IntentDetected, respond)
