"""Customers on the `customers` table: pk `customer_id`, `email`, and the whole document as one
JSON string `doc` (it is always read whole, by key)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aicc.adapters.dynamodb.attributes import doc, document, s, strings
from aicc.adapters.dynamodb.requests import put_all
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name


def customer_item(customer: dict[str, Any]) -> dict[str, Any]:
    return {**strings({"customer_id": customer["customer_id"], "email": customer["email"]}), "doc": doc(customer)}


class DynamoDBCustomers(SharedDynamoDB):
    def get(self, customer_id: str) -> dict[str, Any] | None:
        item = client("dynamodb").get_item(TableName=table_name("customers"), Key={"customer_id": s(customer_id)})
        if "Item" not in item:
            return None
        found: dict[str, Any] = document(item["Item"], "doc")
        return found

    def put_all(self, customers: Iterable[dict[str, Any]]) -> int:
        items = [customer_item(customer) for customer in customers]
        put_all(table_name("customers"), items)
        return len(items)
