"""WebSocket `$disconnect`: forgets the connection (best effort, as API Gateway itself is)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.ports.connections import Connections

logger = Logger(service="ws-disconnect")
connections: Connections = DynamoDBConnections()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    connection_id = event["requestContext"]["connectionId"]
    connections.drop(connection_id)
    logger.info("disconnected", extra={"connection_id": connection_id})
    return {"statusCode": 200, "body": "Disconnected"}
