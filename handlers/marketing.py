"""Generative marketing Lambda: RouteDecided (buying intent, mood not negative, bot route) -> OfferGenerated.

Runs once per event (idempotency store): an offer is recorded per customer, so the same offer is
never made twice, and a duplicate delivery replays the stored result instead of offering again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.offers import DynamoOffers
from aicc.agents.marketing import make_offer
from aicc.runtime.consumer import single_input_agent
from contracts.events import EventMeta, OfferGenerated, RouteDecided

customers = DynamoDBCustomers()
offers_made = DynamoOffers()


def respond(route: RouteDecided, meta: EventMeta) -> OfferGenerated:
    return make_offer(route, meta, customers=customers, offers_made=offers_made, today=datetime.now(UTC).date())


handler = single_input_agent("marketing", RouteDecided, respond)
