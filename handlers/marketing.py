"""Generative marketing Lambda: RouteDecided (buying intent, mood not negative, bot route) -> OfferGenerated.

Runs once per event (idempotency store): an offer is recorded per customer, so the same offer is
never made twice, and a duplicate delivery replays the stored result instead of offering again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.agents.marketing import offer_for
from aicc.agents.personalization import load_customer
from aicc.runtime.clients import client
from aicc.runtime.consumer import single_input_agent
from aicc.runtime.tables import table_name
from contracts.events import EventMeta, OfferGenerated, RouteDecided


def offers_made(customer_id: str) -> set[str]:
    response = client("dynamodb").query(
        TableName=table_name("offers"),
        KeyConditionExpression="customer_id = :c",
        ExpressionAttributeValues={":c": {"S": customer_id}},
    )
    return {item["offer_id"]["S"] for item in response.get("Items", [])}


def respond(route: RouteDecided, meta: EventMeta) -> OfferGenerated:
    customer = load_customer(meta.customer_id)
    made = offers_made(meta.customer_id) if customer else set()
    result = offer_for(route, customer, made, meta, datetime.now(UTC).date())
    if result.eligible and result.offer is not None:
        client("dynamodb").put_item(
            TableName=table_name("offers"),
            Item={
                "customer_id": {"S": meta.customer_id},
                "offer_id": {"S": result.offer.offer_id},
                "turn_id": {"S": meta.turn_id},
                "offered_at": {"S": meta.occurred_at.isoformat()},
            },
        )
    return result


handler = single_input_agent("marketing", RouteDecided, respond)
