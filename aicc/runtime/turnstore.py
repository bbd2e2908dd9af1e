"""Per-turn join state in DynamoDB, shared by every agent that waits for several events of a turn.

One item per (turn_id, scope). Arriving results are one conditional-free `UpdateItem` that sets
each `r:<DetailType>` only if absent (`if_not_exists`), so duplicates and reordering change
nothing. Several results of one turn (arriving in one batch) share that write. It returns the item
as it found it (ALL_OLD): the state after is that plus the results it added, so the caller sees
both, and can tell whether *its* write made the turn complete. Writes to one item are serialized,
so exactly one write makes that step. Details are stored as JSON strings: no float <-> Decimal
conversion on the hot path.

Replying is claimed with a lease: a claim succeeds if nobody claimed the turn, or if an earlier
claim never reached `delivered_at` and its lease ran out (that invocation crashed mid-way). Hence
at most one reply per turn, and still a reply when the first attempt died.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

if TYPE_CHECKING:
    from aicc.runtime.bus import BusEvent

TURN_TTL_S = 7 * 24 * 3600
CLAIM_LEASE_S = 30
# A turn can be claimed for its reply only once its message is recorded (the reply is addressed to it).
MUST_HOLD = "ConversationReceived"
# Nobody claimed the turn, or an earlier claim never reached `delivered_at` and its lease ran out.
_CLAIMABLE = "attribute_not_exists(claimed_at) OR (attribute_not_exists(delivered_at) AND claimed_at < :lease_cutoff)"


def _result_value(detail: dict[str, Any]) -> dict[str, Any]:
    """A recorded result's attribute value (details as JSON: no float <-> Decimal)."""
    return {"S": json.dumps(detail, separators=(",", ":"))}


def _ttl_value(now: float) -> dict[str, Any]:
    return {"N": str(int(now) + TURN_TTL_S)}


def _claim_values(now: float) -> dict[str, Any]:
    """`:now` and `:lease_cutoff` of a write conditioned on `_CLAIMABLE`."""
    return {":now": {"N": f"{now:.3f}"}, ":lease_cutoff": {"N": f"{now - CLAIM_LEASE_S:.3f}"}}


@dataclass(frozen=True)
class TurnState:
    turn_id: str
    scope: str
    results: dict[str, dict[str, Any]]  # detail-type -> detail
    claimed: bool
    delivered: bool


@dataclass(frozen=True)
class Recorded:
    """One write's view of a turn: the state it found and the state it left."""

    before: TurnState
    after: TurnState


def _state(item: dict[str, Any]) -> TurnState:
    results = {name[2:]: json.loads(value["S"]) for name, value in item.items() if name.startswith("r:")}
    return TurnState(
        turn_id=item["turn_id"]["S"],
        scope=item["scope"]["S"],
        results=results,
        claimed="claimed_at" in item,
        delivered="delivered_at" in item,
    )


class TurnStore:
    def __init__(self, scope: str) -> None:
        self.scope = scope

    @classmethod
    def of(cls, agent: str, replay: str | None = None) -> TurnStore:
        """An agent's join state; a replayed turn joins in its own state, apart from the original turn's."""
        return cls(scope=f"{agent}#{replay}" if replay else agent)

    def _key(self, turn_id: str) -> dict[str, Any]:
        return {"turn_id": {"S": turn_id}, "scope": {"S": self.scope}}

    def record_all(self, turn_id: str, results: Mapping[str, dict[str, Any]]) -> Recorded:
        """Record several results of one turn (detail-type -> detail) in one write; the first copy of each stands."""
        if not results:
            raise ValueError("nothing to record")
        now = time.time()
        names: dict[str, str] = {}
        values: dict[str, Any] = {":ttl": _ttl_value(now)}
        actions: list[str] = []
        for i, (detail_type, detail) in enumerate(results.items()):
            names[f"#r{i}"] = f"r:{detail_type}"
            values[f":r{i}"] = _result_value(detail)
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
                ExpressionAttributeValues={":r": _result_value(detail), ":ttl": _ttl_value(now), **_claim_values(now)},
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

    def mark_delivered(self, turn_id: str, outcome: str) -> None:
        client("dynamodb").update_item(
            TableName=table_name("turns"),
            Key=self._key(turn_id),
            UpdateExpression="SET delivered_at = :now, outcome = :outcome",
            ExpressionAttributeValues={":now": {"N": f"{time.time():.3f}"}, ":outcome": {"S": outcome}},
        )


class BatchJoin:
    """A consumer's join that records a batch's results with one write per turn.

    `record_batch` is the consumer's `prepare`: it groups the batch's events by turn and records
    each group in one `record_all`. `recorded(event)` then gives each event its share. The group's
    last event gets the write's outcome; the others get None, since one write completes a join at most
    once. An event that was not recorded with its batch is recorded alone: a call outside a batch, or
    a second copy in one batch (EventBridge may deliver an event twice).
    """

    def __init__(self, agent: str) -> None:
        self.agent = agent
        # Per invocation: a Lambda container runs one at a time, the embedded stack one per thread.
        self._in_batch: ContextVar[dict[str, Recorded | None]] = ContextVar(f"aicc_{agent}_recorded_in_batch")

    def record_batch(self, events: Sequence[BusEvent]) -> None:
        """Record the batch's events; a failure fails the whole batch, and every write is safe to repeat."""
        self._in_batch.set({})
        groups: dict[tuple[str | None, str], list[BusEvent]] = {}
        for event in events:
            groups.setdefault((event.replay, event.meta.turn_id), []).append(event)
        outcomes: dict[str, Recorded | None] = {}
        for (replay, turn_id), group in groups.items():
            results: dict[str, dict[str, Any]] = {}
            for event in group:
                results.setdefault(event.detail_type, event.detail.model_dump(mode="json"))
            recorded = TurnStore.of(self.agent, replay).record_all(turn_id, results)
            outcomes.update(dict.fromkeys((event.id for event in group), None))
            outcomes[group[-1].id] = recorded  # the latest cause speaks for the write
        self._in_batch.set(outcomes)

    def in_batch(self, event: BusEvent) -> bool:
        """Whether `record_batch` recorded this event (and `recorded` has not taken it yet)."""
        return event.id in self._in_batch.get({})

    def recorded(self, event: BusEvent) -> Recorded | None:
        """This event's share of its write (taken once), recording it alone if its batch did not."""
        outcomes = self._in_batch.get({})
        if event.id in outcomes:
            return outcomes.pop(event.id)
        detail = {event.detail_type: event.detail.model_dump(mode="json")}
        return TurnStore.of(self.agent, event.replay).record_all(event.meta.turn_id, detail)
