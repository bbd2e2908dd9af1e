"""WebSocket `$connect`: records the authorised connection (the authorizer already refused bad tokens)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name
from aicc.runtime.websocket import caller

logger = Logger(service="ws-connect")

# A lost $disconnect must not leave records forever; API Gateway caps a connection at 2 hours.
CONNECTION_TTL_S = 2 * 3600 + 300


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = event["requestContext"]
    try:
        user_id, role, dealer_id = caller(event)
    except PermissionError:
        return {"statusCode": 403, "body": "Forbidden"}
    now = int(time.time())
    item = {
        "connection_id": {"S": ctx["connectionId"]},
        "user_id": {"S": user_id},
        "role": {"S": role},
        "connected_at": {"N": str(now)},
        "expires_at": {"N": str(now + CONNECTION_TTL_S)},
    }
    if dealer_id:
        item["dealer_id"] = {"S": dealer_id}
    client("dynamodb").put_item(TableName=table_name("connections"), Item=item)
    logger.info("connected", extra={"connection_id": ctx["connectionId"], "role": role})
    return {"statusCode": 200, "body": "Connected"}
