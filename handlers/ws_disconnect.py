"""WebSocket `$disconnect`: forgets the connection (best effort, as API Gateway itself is)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

logger = Logger(service="ws-disconnect")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    connection_id = event["requestContext"]["connectionId"]
    client("dynamodb").delete_item(TableName=table_name("connections"), Key={"connection_id": {"S": connection_id}})
    logger.info("disconnected", extra={"connection_id": connection_id})
    return {"statusCode": 200, "body": "Disconnected"}
