"""CDH insights Lambda: ConversationReceived -> InsightsComputed (recalls, warranty, service due...)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aicc.agents.cdh import insights
from aicc.agents.personalization import load_customer
from aicc.runtime.clients import client
from aicc.runtime.consumer import message_agent
from aicc.runtime.tables import table_name
from contracts.events import ConversationReceived, EventMeta, InsightsComputed


def appointments_of(customer_id: str) -> list[dict[str, Any]]:
    response = client("dynamodb").query(
        TableName=table_name("appointments"),
        IndexName="by_customer",
        KeyConditionExpression="customer_id = :c",
        ExpressionAttributeValues={":c": {"S": customer_id}},
    )
    return [{k: next(iter(v.values())) for k, v in item.items()} for item in response.get("Items", [])]


def respond(message: ConversationReceived, meta: EventMeta) -> InsightsComputed:
    customer = load_customer(meta.customer_id)
    booked = appointments_of(meta.customer_id) if customer else []
    return insights(customer, booked, meta, datetime.now(UTC).date())


handler = message_agent("cdh", respond)
