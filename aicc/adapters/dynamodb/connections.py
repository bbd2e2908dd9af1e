"""Connections on the `connections` table: pk `connection_id`, `user_id` (index `by_user`), `role`,
`dealer_id`, `connected_at`, and `expires_at` (the table's TTL attribute). Staff connections carry
`staff_scope` (index `by_staff`): "oem_staff", or "dealer#<dealer_id>" for a dealership's staff."""

from __future__ import annotations

import time
from typing import Any

from aicc.adapters.dynamodb.attributes import n, required_text, s, strings
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.connections import Connection
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name


def _staff_scope(role: str, dealer_id: str | None) -> str | None:
    if role == "oem_staff":
        return "oem_staff"
    return f"dealer#{dealer_id}" if role == "dealer" and dealer_id else None


class DynamoDBConnections(SharedDynamoDB):
    def record(self, connection: Connection, *, ttl_s: int) -> None:
        now = int(time.time())
        item: dict[str, Any] = {
            **strings(
                {"connection_id": connection.connection_id, "user_id": connection.user_id, "role": connection.role}
            ),
            "connected_at": n(now),
            "expires_at": n(now + ttl_s),
        }
        if connection.dealer_id:
            item["dealer_id"] = s(connection.dealer_id)
        if scope := _staff_scope(connection.role, connection.dealer_id):
            item["staff_scope"] = s(scope)
        client("dynamodb").put_item(TableName=table_name("connections"), Item=item)

    def drop(self, connection_id: str) -> None:
        client("dynamodb").delete_item(
            TableName=table_name("connections"), Key=strings({"connection_id": connection_id})
        )

    def of_user(self, user_id: str) -> list[str]:
        return self._open("by_user", "user_id", user_id)

    def of_staff(self, role: str, dealer_id: str | None = None) -> list[str]:
        scope = _staff_scope(role, dealer_id)
        return self._open("by_staff", "staff_scope", scope) if scope else []

    def _open(self, index: str, key: str, value: str) -> list[str]:
        # DynamoDB deletes expired items only eventually; an expired record is a closed connection.
        response = client("dynamodb").query(
            TableName=table_name("connections"),
            IndexName=index,
            KeyConditionExpression=f"{key} = :k",
            FilterExpression="expires_at > :now",
            ExpressionAttributeValues={":k": s(value), ":now": n(int(time.time()))},
        )
        return [required_text(item, "connection_id") for item in response.get("Items", [])]
