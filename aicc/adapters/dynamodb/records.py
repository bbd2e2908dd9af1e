"""A conversation read whole from the `conversations` table: one query of its partition (META,
`TURN#` items, `MSG#` items; the layouts of `conversations.py` and `handoff.py`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aicc.adapters.dynamodb.attributes import boolean, number, required_text, s, text
from aicc.adapters.dynamodb.conversations import META_SK, TURN_PREFIX
from aicc.adapters.dynamodb.requests import query_all
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.records import StoredConversation, StoredMessage, StoredTurn
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

MESSAGE_PREFIX = "MSG#"


def _turn(item: dict[str, Any]) -> StoredTurn:
    replied = number(item, "replied_at")
    return StoredTurn(
        turn_id=required_text(item, "turn_id"),
        text=required_text(item, "text"),
        at=required_text(item, "at"),
        client_message_id=text(item, "client_message_id"),
        reply=text(item, "reply"),
        intent=text(item, "intent"),
        degraded=bool(boolean(item, "degraded")),
        replied_at=datetime.fromtimestamp(replied, UTC).isoformat() if replied is not None else None,
    )


class DynamoDBConversationRecords(SharedDynamoDB):
    def read(self, conversation_id: str) -> StoredConversation | None:
        dynamodb = client("dynamodb")
        items = query_all(
            dynamodb,
            TableName=table_name("conversations"),
            KeyConditionExpression="conversation_id = :c",
            ExpressionAttributeValues={":c": s(conversation_id)},
            ConsistentRead=True,
        )
        meta = next((i for i in items if text(i, "sk") == META_SK), None)
        owner = text(meta, "customer_id") if meta else None
        if owner is None:
            return None
        turns = [
            _turn(i)
            for i in items
            # A reply recorded for a turn that was never stored is not a turn.
            if (text(i, "sk") or "").startswith(TURN_PREFIX) and text(i, "at") and text(i, "text") is not None
        ]
        messages = [
            StoredMessage(
                sender=required_text(i, "sender"),
                sender_id=required_text(i, "sender_id"),
                text=required_text(i, "text"),
                at=required_text(i, "at"),
            )
            for i in items
            if (text(i, "sk") or "").startswith(MESSAGE_PREFIX)
        ]
        return StoredConversation(
            conversation_id=conversation_id,
            customer_id=owner,
            turns=sorted(turns, key=lambda t: t.at),
            messages=sorted(messages, key=lambda m: m.at),
        )
