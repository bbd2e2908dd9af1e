"""Turn summaries and daily counters on the analytics table.

Layout: a turn's summary is pk `turn#<turn id>`, sk `summary` (beside the turn's event log), the
record as one JSON attribute, with `expires_at` for TTL; a day's counters are pk `day#<ISO date>`,
sk `totals`, one number attribute per counter, ADDed to atomically and never expiring.

Counting once needs no idempotency store: only the call whose conditional put creates the summary
adds to the day's counters. A crash between the two loses that turn's count (it is never doubled).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aicc.adapters.dynamodb.attributes import Item, n, number, s, text
from aicc.adapters.dynamodb.table import TableAdapter
from aicc.ports.analytics import RETENTION_S, TurnRecord

if TYPE_CHECKING:
    pass


def _summary_key(turn_id: str) -> Item:
    return {"pk": s(f"turn#{turn_id}"), "sk": s("summary")}


def _day_key(day: str) -> Item:
    return {"pk": s(f"day#{day}"), "sk": s("totals")}


def counters_of(item: Mapping[str, Any]) -> dict[str, int]:
    """The counters of a `totals` item: every number attribute."""
    return {name: int(value) for name in item if (value := number(item, name)) is not None}


class DynamoDBAnalytics(TableAdapter):
    TABLE = "analytics"

    def record_turn(self, record: TurnRecord, counters: Mapping[str, int]) -> bool:
        dynamodb = self._client()
        now = int(self._now())
        try:
            dynamodb.put_item(
                TableName=self._table_name(),
                Item={
                    **_summary_key(record.turn_id),
                    "record": s(json.dumps(dataclasses.asdict(record))),
                    "expires_at": n(now + RETENTION_S),
                },
                # An expired summary that TTL has not deleted yet counts as absent, as on read.
                ConditionExpression="attribute_not_exists(sk) OR expires_at <= :now",
                ExpressionAttributeValues={":now": n(now)},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        if counters:
            names = {f"#c{i}": name for i, name in enumerate(counters)}
            values = {f":v{i}": n(int(value)) for i, value in enumerate(counters.values())}
            dynamodb.update_item(
                TableName=self._table_name(),
                Key=_day_key(record.day),
                UpdateExpression="ADD " + ", ".join(f"{name} :v{i}" for i, name in enumerate(names)),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        return True

    def summary(self, turn_id: str) -> TurnRecord | None:
        item = (
            self._client()
            .get_item(TableName=self._table_name(), Key=_summary_key(turn_id), ConsistentRead=True)
            .get("Item")
        )
        if not item or (number(item, "expires_at") or 0) <= self._now():
            return None
        return TurnRecord(**json.loads(text(item, "record") or "{}"))

    def daily_counters(self, days: Iterable[str]) -> dict[str, dict[str, int]]:
        dynamodb = self._client()
        return {
            day: counters_of(dynamodb.get_item(TableName=self._table_name(), Key=_day_key(day)).get("Item", {}))
            for day in days
        }
