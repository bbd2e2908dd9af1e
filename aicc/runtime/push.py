"""Pushing frames to WebSocket connections through the API Gateway management API."""

from __future__ import annotations

import os

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name


def push(connection_id: str, data: str) -> bool:
    """Send one frame; False when the connection is gone (410), whose record is then dropped."""
    management = client("apigatewaymanagementapi", endpoint_url=os.environ["AICC_CALLBACK_URL"])
    try:
        management.post_to_connection(ConnectionId=connection_id, Data=data.encode())
    except management.exceptions.GoneException:
        client("dynamodb").delete_item(TableName=table_name("connections"), Key={"connection_id": {"S": connection_id}})
        return False
    return True


def connections_of(user_id: str) -> list[str]:
    """Open connections of a user (a customer on two devices, a staff member with two tabs)."""
    response = client("dynamodb").query(
        TableName=table_name("connections"),
        IndexName="by_user",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": user_id}},
    )
    return [item["connection_id"]["S"] for item in response.get("Items", [])]


def push_to_user(user_id: str, data: str) -> int:
    """Push to every open connection of the user; returns how many took it."""
    return sum(push(connection_id, data) for connection_id in connections_of(user_id))
