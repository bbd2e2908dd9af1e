"""Conversations on the `conversations` table.

Layout: pk `conversation_id`; sk `META` (owner `customer_id`, `role`, `created_at`/`updated_at`,
the servicing flow's `flow` flag, the handoff attributes of `aicc.adapters.dynamodb.handoff`) or
`TURN#<turn_id>` (`turn_id`, `customer_id`, `client_message_id`, `text`, `at`; later `reply`,
`intent`, `degraded`, `replied_at`).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from aicc.adapters.dynamodb.attributes import flag, n, required_text, s, strings, text
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.conversations import NewTurn, NoSuchConversation, NotYourConversation, PastTurn, StartedTurn
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

META_SK = "META"
TURN_PREFIX = "TURN#"


def meta_key(conversation_id: str) -> dict[str, Any]:
    return strings({"conversation_id": conversation_id, "sk": META_SK})


class DynamoDBConversations(SharedDynamoDB):
    def start_turn(self, turn: NewTurn, *, opens: bool) -> StartedTurn:
        """Two conditional writes rather than one transaction: a transaction costs twice the write
        units, and the steps need no atomicity (a touched `updated_at` without a turn is harmless;
        the turn write alone decides whether this is a retry)."""
        dynamodb = client("dynamodb")
        table = table_name("conversations")
        now = turn.at.isoformat()
        try:
            if opens:
                meta = dynamodb.update_item(
                    TableName=table,
                    Key=meta_key(turn.conversation_id),
                    UpdateExpression="SET customer_id = :me, created_at = if_not_exists(created_at, :now), "
                    "updated_at = :now, #role = :role",
                    ConditionExpression="attribute_not_exists(conversation_id) OR customer_id = :me",
                    ExpressionAttributeNames={"#role": "role"},
                    ExpressionAttributeValues={":now": s(now), ":me": s(turn.user_id), ":role": s(turn.role)},
                    ReturnValues="ALL_NEW",
                )
            else:
                meta = dynamodb.update_item(
                    TableName=table,
                    Key=meta_key(turn.conversation_id),
                    UpdateExpression="SET updated_at = :now",
                    ConditionExpression="customer_id = :me",
                    ExpressionAttributeValues={":now": s(now), ":me": s(turn.user_id)},
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except dynamodb.exceptions.ConditionalCheckFailedException as exc:
            if not opens and not exc.response.get("Item"):
                raise NoSuchConversation(turn.conversation_id) from exc
            raise NotYourConversation(turn.conversation_id) from exc
        attributes = meta.get("Attributes", {})
        flow = text(attributes, "flow")
        stored_dialog = text(attributes, "dialog")
        dialog = json.loads(stored_dialog) if stored_dialog else None
        handoff_open = text(attributes, "handoff_status") is not None
        staff_owner = text(attributes, "handoff_agent") if text(attributes, "handoff_status") == "taken" else None
        started = StartedTurn(
            turn.conversation_id,
            turn.turn_id,
            duplicate=False,
            flow=flow,
            staff_owner=staff_owner,
            accepted_at=turn.at,
            dialog=dialog,
            handoff_open=handoff_open,
        )
        key = strings({"conversation_id": turn.conversation_id, "sk": TURN_PREFIX + turn.turn_id})
        try:
            dynamodb.put_item(
                TableName=table,
                Item={
                    **key,
                    **strings(
                        {
                            "turn_id": turn.turn_id,
                            "customer_id": turn.user_id,
                            "client_message_id": turn.client_message_id,
                            "text": turn.text,
                            "at": now,
                        }
                    ),
                },
                ConditionExpression="attribute_not_exists(sk)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            # A retry: the earlier turn's time tells the caller how old the original is.
            stored = dynamodb.get_item(
                TableName=table,
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#at, #reply",
                ExpressionAttributeNames={"#at": "at", "#reply": "reply"},
            ).get("Item", {})
            first = text(stored, "at")
            return replace(
                started,
                duplicate=True,
                accepted_at=datetime.fromisoformat(first) if first else turn.at,
                answered="reply" in stored,
            )
        return started

    def _turn_items(self, conversation_id: str) -> list[dict[str, Any]]:
        dynamodb = client("dynamodb")
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": table_name("conversations"),
            "KeyConditionExpression": "conversation_id = :c AND begins_with(sk, :p)",
            "ExpressionAttributeValues": {":c": s(conversation_id), ":p": s(TURN_PREFIX)},
        }
        while True:
            response = dynamodb.query(**request)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # A reply recorded for a turn that was never stored is not a turn.
        items = [item for item in items if text(item, "at") is not None and text(item, "text") is not None]
        # The sort key orders by turn id, not time: order by the time the turn started.
        items.sort(key=lambda item: required_text(item, "at"))
        return items

    def recent_turns(self, conversation_id: str, *, exclude_turn: str | None = None, limit: int = 5) -> list[PastTurn]:
        turns = [
            PastTurn(
                turn_id=required_text(item, "turn_id"),
                text=required_text(item, "text"),
                reply=text(item, "reply"),
                intent=text(item, "intent"),
                at=required_text(item, "at"),
            )
            for item in self._turn_items(conversation_id)
            if required_text(item, "turn_id") != exclude_turn
        ]
        return turns[-limit:] if limit > 0 else []

    def turn_ids(self, conversation_id: str) -> list[str]:
        return [required_text(item, "turn_id") for item in self._turn_items(conversation_id)]

    def record_reply(
        self, conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool
    ) -> None:
        names = {"#reply": "reply", "#degraded": "degraded", "#replied": "replied_at"}
        values: dict[str, Any] = {":reply": s(reply), ":degraded": flag(degraded), ":replied": n(time.time())}
        expression = "SET #reply = :reply, #degraded = :degraded, #replied = :replied"
        if intent:
            names["#intent"] = "intent"
            values[":intent"] = s(intent)
            expression += ", #intent = :intent"
        client("dynamodb").update_item(
            TableName=table_name("conversations"),
            Key=strings({"conversation_id": conversation_id, "sk": TURN_PREFIX + turn_id}),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def save_dialog(self, conversation_id: str, dialog: dict[str, Any]) -> None:
        dynamodb = client("dynamodb")
        try:
            # On the conversation, where the ingress reads it with the next turn's first write.
            dynamodb.update_item(
                TableName=table_name("conversations"),
                Key=meta_key(conversation_id),
                UpdateExpression="SET #dialog = :dialog",
                ConditionExpression="attribute_exists(conversation_id)",
                ExpressionAttributeNames={"#dialog": "dialog"},
                ExpressionAttributeValues={":dialog": s(json.dumps(dialog, sort_keys=True))},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return
