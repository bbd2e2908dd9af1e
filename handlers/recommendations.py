"""Product recommendations Lambda: IntentDetected (buying intents) -> RecommendationsMade."""

from __future__ import annotations

from aicc.agents.personalization import load_customer
from aicc.agents.recommendations import recommend
from aicc.runtime.consumer import single_input_agent
from contracts.events import EventMeta, IntentDetected, RecommendationsMade


def respond(intent: IntentDetected, meta: EventMeta) -> RecommendationsMade:
    return recommend(intent, load_customer(meta.customer_id), meta)


handler = single_input_agent("recommendations", IntentDetected, respond)
