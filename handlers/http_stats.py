"""`GET /stats?days=N` (API Gateway HTTP API, payload 2.0): the JSON of `aicc stats --json --days N`,
for role oem_staff only. On AWS a Cognito JWT authorizer has checked the token and put its claims in
`requestContext.authorizer.jwt.claims`; the embedded gateway verifies its local token and passes
the claims the same way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics
from aicc.agents.analytics import last_days, stats
from aicc.runtime.auth import InvalidToken, identity_from_claims

logger = Logger(service="http-stats")
analytics = DynamoDBAnalytics()
MAX_DAYS = 90


def _answer(status: int, body: Any) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body),
    }


def parse_days(query: dict[str, str] | None) -> int | None:
    """`days` (default 1), or None when it is not a whole number in 1..MAX_DAYS."""
    raw = (query or {}).get("days", "1")
    if not raw.isdigit():
        return None
    days = int(raw)
    return days if 1 <= days <= MAX_DAYS else None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt", {}).get("claims")
    if not isinstance(claims, dict) or not claims.get("sub"):
        return _answer(401, {"message": "Unauthorized"})
    try:
        identity = identity_from_claims(_groups_as_list(claims))
    except (InvalidToken, KeyError):
        return _answer(401, {"message": "Unauthorized"})
    if identity.role != "oem_staff":
        return _answer(403, {"message": "Forbidden"})
    days = parse_days(event.get("queryStringParameters"))
    if days is None:
        return _answer(400, {"message": f"days must be a whole number from 1 to {MAX_DAYS}"})
    summary = stats(analytics, last_days(datetime.now(UTC).date(), days))
    logger.info("stats", extra={"days": days, "user_id": identity.user_id})
    return _answer(200, summary)


def _groups_as_list(claims: dict[str, Any]) -> dict[str, Any]:
    """API Gateway's JWT authorizer passes an array claim as a string ("[oem_staff dealer]")."""
    groups = claims.get("cognito:groups")
    if isinstance(groups, str):
        claims = {**claims, "cognito:groups": groups.strip("[]").replace(",", " ").split()}
    return claims
