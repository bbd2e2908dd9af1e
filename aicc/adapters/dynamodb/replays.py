"""Replay results on the replays table.

Layout: pk `replay#<replay name>`; sk `seen#<turn id>` for a turn the replay re-sent, sk
`turn#<turn id>` for the reply it produced (one JSON attribute); `expires_at` for TTL, which
deletes late, so reads drop expired items themselves.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aicc.adapters.dynamodb.attributes import Item, document, n, number, required_text, s
from aicc.adapters.dynamodb.requests import query_all
from aicc.adapters.dynamodb.table import TableAdapter
from aicc.ports.replays import RETENTION_S

if TYPE_CHECKING:
    pass


class DynamoDBReplayResults(TableAdapter):
    TABLE = "replays"

    def _put(self, item: Item) -> None:
        self._client().put_item(TableName=self._table_name(), Item=item)

    def record_turn(self, replay_name: str, turn_id: str) -> None:
        self._put(
            {
                "pk": s(f"replay#{replay_name}"),
                "sk": s(f"seen#{turn_id}"),
                "expires_at": n(int(self._now()) + RETENTION_S),
            }
        )

    def record_reply(self, replay_name: str, turn_id: str, reply: dict[str, Any]) -> None:
        now = self._now()
        self._put(
            {
                "pk": s(f"replay#{replay_name}"),
                "sk": s(f"turn#{turn_id}"),
                "reply": s(json.dumps(reply, sort_keys=True)),
                "recorded_at": n(now),
                "expires_at": n(int(now) + RETENTION_S),
            }
        )

    def turns(self, replay_name: str) -> tuple[set[str], dict[str, dict[str, Any]]]:
        items = query_all(
            self._client(),
            TableName=self._table_name(),
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": s(f"replay#{replay_name}")},
            ConsistentRead=True,
        )
        now = self._now()
        seen: set[str] = set()
        replies: dict[str, dict[str, Any]] = {}
        for item in items:
            if (number(item, "expires_at") or now + 1) <= now:
                continue
            kind, _, turn_id = required_text(item, "sk").partition("#")
            if kind == "seen":
                seen.add(turn_id)
            elif kind == "turn":
                replies[turn_id] = document(item, "reply")
        return seen, replies
