"""Offers made, on DynamoDB: one item per (customer_id, offer_id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aicc.adapters.dynamodb.attributes import required_text, s, strings
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name


class DynamoOffers(SharedDynamoDB):
    def made_to(self, customer_id: str) -> set[str]:
        query: dict[str, Any] = {
            "TableName": table_name("offers"),
            "KeyConditionExpression": "customer_id = :c",
            "ExpressionAttributeValues": {":c": s(customer_id)},
            "ProjectionExpression": "offer_id",
        }
        dynamodb = client("dynamodb")
        made: set[str] = set()
        while True:
            response = dynamodb.query(**query)
            made.update(required_text(item, "offer_id") for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return made
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def record(self, customer_id: str, offer_id: str, *, turn_id: str, offered_at: datetime) -> None:
        client("dynamodb").put_item(
            TableName=table_name("offers"),
            Item=strings(
                {
                    "customer_id": customer_id,
                    "offer_id": offer_id,
                    "turn_id": turn_id,
                    "offered_at": offered_at.isoformat(),
                }
            ),
        )
