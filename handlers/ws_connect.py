"""WebSocket `$connect`: records the authorised connection (the authorizer already refused bad tokens)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.ports.connections import Connection, Connections
from aicc.runtime.websocket import caller

logger = Logger(service="ws-connect")
connections: Connections = DynamoDBConnections()

# A lost $disconnect must not leave records forever; API Gateway caps a connection at 2 hours.
CONNECTION_TTL_S = 2 * 3600 + 300


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    connection_id = event["requestContext"]["connectionId"]
    try:
        user_id, role, dealer_id = caller(event)
    except PermissionError:
        return {"statusCode": 403, "body": "Forbidden"}
    connections.record(Connection(connection_id, user_id, role, dealer_id), ttl_s=CONNECTION_TTL_S)
    logger.info("connected", extra={"connection_id": connection_id, "role": role})
    return {"statusCode": 200, "body": "Connected"}
