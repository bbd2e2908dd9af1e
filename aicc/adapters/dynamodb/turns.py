"""The turn store on DynamoDB: one item per (turn_id, scope) in the `turns` table.

Recording is one condition-free `UpdateItem` that sets each `r:<DetailType>` only if absent
(`if_not_exists`) and returns the item as it found it (ALL_OLD): the state after is that plus the
results the write carried. DynamoDB serializes writes to one item, which is what makes exactly
one write complete a join. Details are stored as JSON strings: no float <-> Decimal conversion on
the hot path. Claims are conditional writes on `claimed_at` / `delivered_at`; `expires_at` is the
table's TTL attribute.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aicc.adapters.dynamodb.attributes import Item, doc, n, required_text, s, strings
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.turns import (
    CLAIM_LEASE_S,
    MUST_HOLD,
    TURN_TTL_S,
    Details,
    MessageNotRecorded,
    Recorded,
    TurnState,
)
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

RESULT_PREFIX = "r:"
# Nobody claimed the turn, or an earlier claim never reached `delivered_at` and its lease ran out.
_CLAIMABLE = "attribute_not_exists(claimed_at) OR (attribute_not_exists(delivered_at) AND claimed_at < :lease_cutoff)"


def _wall_clock() -> float:
    return time.time()


def _claim_values(now: float) -> dict[str, Any]:
    """`:now` and `:lease_cutoff` of a write conditioned on `_CLAIMABLE`."""
    return {":now": n(now), ":lease_cutoff": n(now - CLAIM_LEASE_S)}


def _ttl(now: float) -> dict[str, Any]:
    return n(int(now) + TURN_TTL_S)


def _state(item: Item) -> TurnState:
    results = {
        name.removeprefix(RESULT_PREFIX): json.loads(required_text(item, name))
        for name in item
        if name.startswith(RESULT_PREFIX)
    }
    return TurnState(
        turn_id=required_text(item, "turn_id"),
        scope=required_text(item, "scope"),
        results=results,
        claimed="claimed_at" in item,
        delivered="delivered_at" in item,
    )


class DynamoDBTurnStore(SharedDynamoDB):
    """One scope's join state. `now` is the clock claims and TTL are measured with."""

    def __init__(self, scope: str, *, now: Callable[[], float] = _wall_clock) -> None:
        super().__init__()
        self.scope = scope
        self._now = now

    def _key(self, turn_id: str) -> Item:
        return strings({"turn_id": turn_id, "scope": self.scope})

    def record_all(self, turn_id: str, results: Details) -> Recorded:
        if not results:
            raise ValueError("nothing to record")
        names: dict[str, str] = {}
        values: dict[str, Any] = {":ttl": _ttl(self._now())}
        actions: list[str] = []
        for i, (detail_type, detail) in enumerate(results.items()):
            names[f"#r{i}"] = RESULT_PREFIX + detail_type
            values[f":r{i}"] = doc(detail)
            actions.append(f"#r{i} = if_not_exists(#r{i}, :r{i})")
        response = client("dynamodb").update_item(
            TableName=table_name("turns"),
            Key=self._key(turn_id),
            UpdateExpression="SET " + ", ".join(actions) + ", expires_at = :ttl",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_OLD",
        )
        found = response.get("Attributes")
        before = _state(found) if found else TurnState(turn_id, self.scope, {}, claimed=False, delivered=False)
        # if_not_exists: what was there stays; what was not is now what this write carried.
        after = replace(before, results={**results, **before.results})
        return Recorded(before=before, after=after)

    def record_and_claim(self, turn_id: str, detail_type: str, detail: dict[str, Any]) -> TurnState | None:
        dynamodb = client("dynamodb")
        now = self._now()
        try:
            response = dynamodb.update_item(
                TableName=table_name("turns"),
                Key=self._key(turn_id),
                UpdateExpression="SET #r = if_not_exists(#r, :r), expires_at = :ttl, claimed_at = :now",
                ConditionExpression=f"attribute_exists(#must) AND ({_CLAIMABLE})",
                ExpressionAttributeNames={"#r": RESULT_PREFIX + detail_type, "#must": RESULT_PREFIX + MUST_HOLD},
                ExpressionAttributeValues={":r": doc(detail), ":ttl": _ttl(now), **_claim_values(now)},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException as failed:
            found = failed.response.get("Item")  # ReturnValuesOnConditionCheckFailure: the item as it was
            if not isinstance(found, dict) or RESULT_PREFIX + MUST_HOLD not in found:
                raise MessageNotRecorded(
                    f"{detail_type} arrived before the turn's {MUST_HOLD} was recorded; retry"
                ) from None
            return None
        return _state(response["Attributes"])

    def load(self, turn_id: str) -> TurnState | None:
        item = client("dynamodb").get_item(TableName=table_name("turns"), Key=self._key(turn_id), ConsistentRead=True)
        return _state(item["Item"]) if "Item" in item else None

    def claim(self, turn_id: str) -> bool:
        dynamodb = client("dynamodb")
        try:
            dynamodb.update_item(
                TableName=table_name("turns"),
                Key=self._key(turn_id),
                UpdateExpression="SET claimed_at = :now",
                ConditionExpression=_CLAIMABLE,
                ExpressionAttributeValues=_claim_values(self._now()),
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_delivered(self, turn_id: str, outcome: str) -> None:
        client("dynamodb").update_item(
            TableName=table_name("turns"),
            Key=self._key(turn_id),
            UpdateExpression="SET delivered_at = :now, outcome = :outcome",
            ExpressionAttributeValues={":now": n(self._now()), ":outcome": s(outcome)},
        )
