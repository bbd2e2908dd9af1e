"""Handoff on the `conversations` table, as attributes of a conversation's META item.

`handoff_queue` + `handoff_since` are the keys of the sparse `by_handoff` index, so the index *is*
the queue. `handoff_status` is `waiting` (the bot still answers) or `taken` (`handoff_agent` owns
it) until the conversation is handed back, which removes every `handoff_*` attribute. Human
messages are items `MSG#<message_id>` beside the turns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aicc.adapters.dynamodb.attributes import required_text, s, strings, text
from aicc.adapters.dynamodb.conversations import meta_key
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.handoff import AlreadyTaken, queue_for
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name
from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded
from contracts.frames import QueueEntry


def _entry(item: dict[str, Any]) -> QueueEntry:
    return QueueEntry(
        conversation_id=required_text(item, "conversation_id"),
        customer_id=required_text(item, "customer_id"),
        queue=required_text(item, "handoff_queue"),
        priority=text(item, "handoff_priority") or "normal",
        since=required_text(item, "handoff_since"),
        status=text(item, "handoff_status") or "waiting",
        dealer_id=text(item, "handoff_dealer"),
        agent_id=text(item, "handoff_agent"),
        last_message=text(item, "last_message"),
    )


class DynamoDBHandoff(SharedDynamoDB):
    def enter_queue(
        self,
        received: ConversationReceived,
        route: Route,
        *,
        intent: IntentDetected | None,
        profile: ProfileLoaded | None,
    ) -> str | None:
        queue, dealer_id = queue_for(route, intent, profile)
        if not queue:
            return None
        values: dict[str, Any] = {
            ":q": s(queue),
            ":since": s(datetime.now(UTC).isoformat()),
            ":p": s(route.priority),
            ":waiting": s("waiting"),
            ":last": s(received.text[:200]),
        }
        expression = (
            "SET handoff_queue = :q, handoff_since = if_not_exists(handoff_since, :since), handoff_priority = :p, "
            "handoff_status = :waiting, last_message = :last"
        )
        if dealer_id:
            values[":d"] = s(dealer_id)
            expression += ", handoff_dealer = :d"
        dynamodb = client("dynamodb")
        try:
            dynamodb.update_item(
                TableName=table_name("conversations"),
                Key=meta_key(received.meta.conversation_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_not_exists(handoff_status) OR handoff_status = :waiting",
                ExpressionAttributeValues=values,
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return None  # a person already has it
        return queue

    def waiting_in(self, queue: str) -> list[QueueEntry]:
        dynamodb = client("dynamodb")
        request: dict[str, Any] = {
            "TableName": table_name("conversations"),
            "IndexName": "by_handoff",
            "KeyConditionExpression": "handoff_queue = :q",
            "ExpressionAttributeValues": {":q": s(queue)},
        }
        entries: list[QueueEntry] = []
        while True:
            response = dynamodb.query(**request)
            entries.extend(_entry(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return entries
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def entry(self, conversation_id: str) -> QueueEntry | None:
        item = client("dynamodb").get_item(
            TableName=table_name("conversations"), Key=meta_key(conversation_id), ConsistentRead=True
        )
        if "Item" not in item or "handoff_queue" not in item["Item"]:
            return None
        return _entry(item["Item"])

    def take(self, conversation_id: str, agent_id: str) -> QueueEntry:
        dynamodb = client("dynamodb")
        try:
            response = dynamodb.update_item(
                TableName=table_name("conversations"),
                Key=meta_key(conversation_id),
                UpdateExpression="SET handoff_status = :taken, handoff_agent = :me",
                ConditionExpression="handoff_status = :waiting OR handoff_agent = :me",
                ExpressionAttributeValues={":taken": s("taken"), ":waiting": s("waiting"), ":me": s(agent_id)},
                ReturnValues="ALL_NEW",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException as exc:
            raise AlreadyTaken(conversation_id) from exc
        return _entry(response["Attributes"])

    def requeue(self, conversation_id: str, agent_id: str) -> bool:
        dynamodb = client("dynamodb")
        try:
            dynamodb.update_item(
                TableName=table_name("conversations"),
                Key=meta_key(conversation_id),
                UpdateExpression="SET handoff_status = :waiting REMOVE handoff_agent",
                ConditionExpression="handoff_status = :taken AND handoff_agent = :me",
                ExpressionAttributeValues={":taken": s("taken"), ":waiting": s("waiting"), ":me": s(agent_id)},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def hand_back(self, conversation_id: str) -> None:
        dynamodb = client("dynamodb")
        try:
            dynamodb.update_item(
                TableName=table_name("conversations"),
                Key=meta_key(conversation_id),
                UpdateExpression="REMOVE handoff_queue, handoff_since, handoff_priority, handoff_status, "
                "handoff_agent, handoff_dealer",
                # An update creates a missing item: never a META without an owner.
                ConditionExpression="attribute_exists(conversation_id)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return

    def record_message(
        self, conversation_id: str, *, message_id: str, sender: str, sender_id: str, text: str, at: str
    ) -> bool:
        dynamodb = client("dynamodb")
        try:
            dynamodb.put_item(
                TableName=table_name("conversations"),
                Item=strings(
                    {
                        "conversation_id": conversation_id,
                        "sk": f"MSG#{message_id}",
                        "sender": sender,
                        "sender_id": sender_id,
                        "text": text,
                        "at": at,
                    }
                ),
                ConditionExpression="attribute_not_exists(sk)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def staff_replied_since(self, conversation_id: str, since: datetime) -> bool:
        dynamodb = client("dynamodb")
        request: dict[str, Any] = {
            "TableName": table_name("conversations"),
            "KeyConditionExpression": "conversation_id = :c AND begins_with(sk, :msg)",
            "FilterExpression": "sender = :staff",
            "ExpressionAttributeValues": {":c": s(conversation_id), ":msg": s("MSG#"), ":staff": s("staff")},
            "ConsistentRead": True,
        }
        while True:
            response = dynamodb.query(**request)
            if any(datetime.fromisoformat(required_text(item, "at")) >= since for item in response.get("Items", [])):
                return True
            if "LastEvaluatedKey" not in response:
                return False
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
