"""Product recommendations Lambda: ConversationReceived -> RecommendationsMade (buying intents;
`relevant: false` for other messages)."""

from __future__ import annotations

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.recommendations import message_recommendations
from aicc.runtime.consumer import message_agent
from contracts.events import ConversationReceived, EventMeta, RecommendationsMade

customers = DynamoDBCustomers()


def respond(message: ConversationReceived, meta: EventMeta) -> RecommendationsMade:
    return message_recommendations(message, meta, customers=customers)


handler = message_agent("recommendations", respond)
