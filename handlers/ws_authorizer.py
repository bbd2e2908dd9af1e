"""WebSocket `$connect` REQUEST authorizer: validates the JWT in `?token=`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.runtime.auth import InvalidToken, verify

logger = Logger(service="ws-authorizer")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = (event.get("queryStringParameters") or {}).get("token")
    try:
        identity = verify(token)
    except InvalidToken as exc:
        logger.info("connection refused", extra={"reason": str(exc)})
        # API Gateway answers 401 to the client when the authorizer raises exactly this.
        raise Exception("Unauthorized") from exc
    return {
        "principalId": identity.user_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}],
        },
        # Context values must be strings, numbers or booleans.
        "context": {"user_id": identity.user_id, "role": identity.role, "dealer_id": identity.dealer_id or ""},
    }
