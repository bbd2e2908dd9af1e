"""Admission on DynamoDB: one counter item on the conversations table (`conversation_id` =
`#admission`, `sk` = `IN_FLIGHT`; no handoff attribute, so no index lists it). Each admit and
release is one conditional UpdateItem; one item takes about 1,000 writes a second, two per turn:
past some 400 turns a second, shard it (N items, a random one per admit, the limit split N ways)."""

from __future__ import annotations

import time
from typing import Any

from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.admission import STALE_S, Counts
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

_KEY: dict[str, Any] = {"conversation_id": {"S": "#admission"}, "sk": {"S": "IN_FLIGHT"}}


def _n(value: float) -> dict[str, str]:
    return {"N": str(int(value))}


class DynamoDBAdmission(SharedDynamoDB):
    # The counts as the last admit read them (the item, returned by the admit's own write).
    _seen = Counts(0, 0)

    def admit(self, limit: int) -> bool:
        now = time.time()
        admitted, item = _update(
            "ADD in_flight :one SET released_at = if_not_exists(released_at, :now)",
            "attribute_not_exists(in_flight) OR in_flight < :limit",
            {":one": _n(1), ":now": _n(now), ":limit": _n(limit)},
        )
        self._seen = Counts(int(item.get("in_flight", {}).get("N", "0")), int(item.get("released", {}).get("N", "0")))
        if admitted:
            return True
        # At the limit: start again if nothing was released for STALE_S (the count is stale). The failed
        # write returned the item, so a shed message costs one write, not two.
        if float(item.get("released_at", {}).get("N", now)) >= now - STALE_S:
            return False
        return _update(
            "SET in_flight = :one, released_at = :now",
            "released_at < :stale",
            {":one": _n(1), ":now": _n(now), ":stale": _n(now - STALE_S)},
        )[0]

    def release(self) -> None:
        _update(  # False when already zero
            "ADD in_flight :minus, released :one SET released_at = :now",
            "in_flight > :zero",
            {":minus": _n(-1), ":one": _n(1), ":now": _n(time.time()), ":zero": _n(0)},
        )

    def in_flight(self) -> int:
        item = client("dynamodb").get_item(TableName=table_name("conversations"), Key=_KEY, ConsistentRead=True)
        return int(item.get("Item", {}).get("in_flight", {}).get("N", "0"))

    def seen(self) -> Counts:
        return self._seen


def _update(expression: str, condition: str, values: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """One conditional UpdateItem of the counter: whether its condition held, and the item after it
    (or, when it failed, as it was)."""
    dynamodb = client("dynamodb")
    try:
        response = dynamodb.update_item(
            TableName=table_name("conversations"),
            Key=_KEY,
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException as failed:
        item = failed.response.get("Item")
        return False, item if isinstance(item, dict) else {}
    return True, dict(response.get("Attributes") or {})
