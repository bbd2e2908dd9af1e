"""The event log on the analytics table.

Layout: pk `turn#<turn id>`, sk `event#<occurred_at ISO>#<event id>`, one item per bus event, with
`expires_at` for DynamoDB's TTL. TTL deletes late, so reads drop expired items themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from aicc.adapters.dynamodb.attributes import Item, document, n, number, required_text, s
from aicc.adapters.dynamodb.requests import put_all, query_all
from aicc.adapters.dynamodb.table import TableAdapter
from aicc.ports.eventlog import RETENTION_S, LoggedEvent
from aicc.runtime.bus import BusEvent

if TYPE_CHECKING:
    pass


def log_item(event: BusEvent, expires_at: int) -> Item:
    occurred = event.meta.occurred_at.isoformat()
    return {
        "pk": s(f"turn#{event.meta.turn_id}"),
        "sk": s(f"event#{occurred}#{event.id}"),
        "detail_type": s(event.detail_type),
        "source": s(event.source),
        "producer": s(event.meta.producer),
        "causation_id": s(event.meta.causation_id),
        "conversation_id": s(event.meta.conversation_id),
        "occurred_at": s(occurred),
        "detail": s(event.detail.model_dump_json()),
        "expires_at": n(expires_at),
    }


def logged_event(item: Item) -> LoggedEvent:
    return LoggedEvent(
        event_id=required_text(item, "sk").rsplit("#", 1)[1],
        source=required_text(item, "source"),
        detail_type=required_text(item, "detail_type"),
        producer=required_text(item, "producer"),
        causation_id=required_text(item, "causation_id"),
        occurred_at=datetime.fromisoformat(required_text(item, "occurred_at")),
        detail=document(item, "detail"),
    )


class DynamoDBEventLog(TableAdapter):
    TABLE = "analytics"

    def append(self, events: Iterable[BusEvent]) -> None:
        expires_at = int(self._now()) + RETENTION_S
        # One BatchWriteItem may not name a key twice, and the key is made of the event's id.
        distinct = {e.id: e for e in events}.values()
        put_all(self._table_name(), [log_item(e, expires_at) for e in distinct], dynamodb=self._client())

    def turn(self, turn_id: str) -> list[LoggedEvent]:
        items = query_all(
            self._client(),
            TableName=self._table_name(),
            KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
            ExpressionAttributeValues={":pk": s(f"turn#{turn_id}"), ":e": s("event#")},
            ConsistentRead=True,
        )
        now = self._now()
        events = [logged_event(i) for i in items if (number(i, "expires_at") or now + 1) > now]
        return sorted(events, key=lambda e: e.occurred_at)
