"""The per-turn event log in the analytics table: written by the analytics agent, read by it (for
the turn's record), by `aicc trace`/`aicc replay diff` and by `aicc bench` (critical path).

Layout: pk `turn#<turn id>`, sk `event#<occurred_at ISO>#<event id>`, one item per bus event.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aicc.runtime.bus import BusEvent
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

RETENTION_S = 90 * 24 * 3600


@dataclass(frozen=True)
class LoggedEvent:
    event_id: str
    source: str
    detail_type: str
    producer: str
    causation_id: str
    occurred_at: datetime
    detail: dict[str, Any] = field(repr=False)


def log_item(event: BusEvent) -> dict[str, Any]:
    occurred = event.meta.occurred_at.isoformat()
    return {
        "pk": {"S": f"turn#{event.meta.turn_id}"},
        "sk": {"S": f"event#{occurred}#{event.id}"},
        "detail_type": {"S": event.detail_type},
        "source": {"S": event.source},
        "producer": {"S": event.meta.producer},
        "causation_id": {"S": event.meta.causation_id},
        "conversation_id": {"S": event.meta.conversation_id},
        "occurred_at": {"S": occurred},
        "detail": {"S": event.detail.model_dump_json()},
        "expires_at": {"N": str(int(time.time()) + RETENTION_S)},
    }


def read_turn(turn_id: str, *, dynamodb: Any = None, table: str | None = None) -> list[LoggedEvent]:
    """Every logged event of a turn, oldest first (a client and table may be given by tools that
    talk to a stack other than the one in their environment)."""
    dynamodb = dynamodb or client("dynamodb")
    kwargs: dict[str, Any] = {
        "TableName": table or table_name("analytics"),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :e)",
        "ExpressionAttributeValues": {":pk": {"S": f"turn#{turn_id}"}, ":e": {"S": "event#"}},
        "ConsistentRead": True,
    }
    items: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    events = [
        LoggedEvent(
            event_id=item["sk"]["S"].rsplit("#", 1)[1],
            source=item["source"]["S"],
            detail_type=item["detail_type"]["S"],
            producer=item["producer"]["S"],
            causation_id=item["causation_id"]["S"],
            occurred_at=datetime.fromisoformat(item["occurred_at"]["S"]),
            detail=json.loads(item["detail"]["S"]),
        )
        for item in items
    ]
    return sorted(events, key=lambda e: e.occurred_at)
