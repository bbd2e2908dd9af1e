"""Per-turn join state in DynamoDB, shared by every agent that waits for several events of a turn.

One item per (turn_id, scope). Each arriving result is one conditional-free `UpdateItem` that sets
`r:<DetailType>` only if absent (`if_not_exists`), so duplicates and reordering change nothing,
and returns the whole item, so the caller sees every result that arrived before it, atomically.
Details are stored as JSON strings: no float <-> Decimal conversion on the hot path.

Replying is claimed with a lease: a claim succeeds if nobody claimed the turn, or if an earlier
claim never reached `delivered_at` and its lease ran out (that invocation crashed mid-way). Hence
at most one reply per turn, and still a reply when the first attempt died.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

TURN_TTL_S = 7 * 24 * 3600
# A turn can be claimed for its reply only once its message is recorded (the reply is addressed to it).
MUST_HOLD = "ConversationReceived"
# Nobody claimed the turn, or an earlier claim never reached `delivered_at` and its lease ran out.
_CLAIMABLE = "attribute_not_exists(claimed_at) OR (attribute_not_exists(delivered_at) AND claimed_at < :lease_cutoff)"


def _result_values(detail: dict[str, Any], now: float) -> dict[str, Any]:
    """`:r` and `:ttl` of a write that records a result (details as JSON: no float <-> Decimal)."""
    return {":r": {"S": json.dumps(detail, separators=(",", ":"))}, ":ttl": {"N": str(int(now) + TURN_TTL_S)}}


def _claim_values(now: float) -> dict[str, Any]:
    """`:now` and `:lease_cutoff` of a write conditioned on `_CLAIMABLE`."""
    return {":now": {"N": f"{now:.3f}"}, ":lease_cutoff": {"N": f"{now - CLAIM_LEASE_S:.3f}"}}


CLAIM_LEASE_S = 30


@dataclass(frozen=True)
class TurnState:
    turn_id: str
    scope: str
    results: dict[str, dict[str, Any]]  # detail-type -> detail
    claimed: bool
    delivered: bool
    assembled: bool


def _state(item: dict[str, Any]) -> TurnState:
    results = {name[2:]: json.loads(value["S"]) for name, value in item.items() if name.startswith("r:")}
    return TurnState(
        turn_id=item["turn_id"]["S"],
        scope=item["scope"]["S"],
        results=results,
        claimed="claimed_at" in item,
        delivered="delivered_at" in item,
        assembled="assembled_at" in item,
    )


class TurnStore:
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def _key(self, turn_id: str) -> dict[str, Any]:
        return {"turn_id": {"S": turn_id}, "scope": {"S": self.scope}}

    def record(self, turn_id: str, detail_type: str, detail: dict[str, Any]) -> TurnState:
        response = client("dynamodb").update_item(
            TableName=table_name("turns"),
            Key=self._key(turn_id),
            UpdateExpression="SET #r = if_not_exists(#r, :r), expires_at = :ttl",
            ExpressionAttributeNames={"#r": f"r:{detail_type}"},
            ExpressionAttributeValues=_result_values(detail, time.time()),
            ReturnValues="ALL_NEW",
        )
        return _state(response["Attributes"])

    def record_and_claim(self, turn_id: str, detail_type: str, detail: dict[str, Any]) -> TurnState | None:
        """`record` and `claim` in one write, for the result that is replied with.

        The claim needs the turn's message recorded first (`MUST_HOLD`): if it is not there yet this
        raises, so the delivery is retried, and nothing is claimed. None: someone else holds the claim.
        """
        dynamodb = client("dynamodb")
        now = time.time()
        try:
            response = dynamodb.update_item(
                TableName=table_name("turns"),
                Key=self._key(turn_id),
                UpdateExpression="SET #r = if_not_exists(#r, :r), expires_at = :ttl, claimed_at = :now",
                ConditionExpression=f"attribute_exists(#must) AND ({_CLAIMABLE})",
                ExpressionAttributeNames={"#r": f"r:{detail_type}", "#must": f"r:{MUST_HOLD}"},
                ExpressionAttributeValues={**_result_values(detail, now), **_claim_values(now)},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException as failed:
            if f"r:{MUST_HOLD}" not in (failed.response.get("Item") or {}):
                raise RuntimeError(f"{detail_type} arrived before the turn's {MUST_HOLD} was recorded; retry") from None
            return None
        return _state(response["Attributes"])

    def load(self, turn_id: str) -> TurnState | None:
        item = client("dynamodb").get_item(TableName=table_name("turns"), Key=self._key(turn_id), ConsistentRead=True)
        return _state(item["Item"]) if "Item" in item else None

    def claim(self, turn_id: str) -> bool:
        """True for exactly one caller per turn (modulo an expired lease of a crashed caller)."""
        dynamodb = client("dynamodb")
        now = time.time()
        try:
            dynamodb.update_item(
                TableName=table_name("turns"),
                Key=self._key(turn_id),
                UpdateExpression="SET claimed_at = :now",
                ConditionExpression=_CLAIMABLE,
                ExpressionAttributeValues=_claim_values(now),
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_once(self, turn_id: str, attribute: str) -> bool:
        """Set `attribute` to now unless it is set: True for exactly one caller (no lease)."""
        dynamodb = client("dynamodb")
        try:
            dynamodb.update_item(
                TableName=table_name("turns"),
                Key=self._key(turn_id),
                UpdateExpression="SET #a = :now",
                ConditionExpression="attribute_not_exists(#a)",
                ExpressionAttributeNames={"#a": attribute},
                ExpressionAttributeValues={":now": {"N": f"{time.time():.3f}"}},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_delivered(self, turn_id: str, outcome: str) -> None:
        client("dynamodb").update_item(
            TableName=table_name("turns"),
            Key=self._key(turn_id),
            UpdateExpression="SET delivered_at = :now, outcome = :outcome",
            ExpressionAttributeValues={":now": {"N": f"{time.time():.3f}"}, ":outcome": {"S": outcome}},
        )
