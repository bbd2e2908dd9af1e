"""Product recommendations Lambda: ConversationReceived -> RecommendationsMade (buying intents;
`relevant: false` for other messages)."""

from __future__ import annotations

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.intent import warm_local_reading
from aicc.agents.recommendations import message_recommendations
from aicc.runtime.consumer import message_agent
from contracts.events import ConversationReceived, EventMeta, RecommendationsMade

customers = DynamoDBCustomers()


def respond(message: ConversationReceived, meta: EventMeta) -> RecommendationsMade:
    return message_recommendations(message, meta, customers=customers)


warm_local_reading()  # at import: the init phase loads the model its relevance check reads with
handler = message_agent("recommendations", respond)
