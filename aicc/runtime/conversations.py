"""The conversations table: who owns a conversation, and each turn's message and reply.

Layout: pk `conversation_id`; sk `META` (owner, created/updated) or `TURN#<turn_id>` (the message,
later its reply). The turn id is derived from the sender and the client's message id, so a client
retry maps onto the same item and is recognised as a duplicate by one conditional write.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

_NAMESPACE = uuid.UUID("6f1c1c1e-5d0e-4a53-9a55-0a1cc0de0001")


def turn_id_for(user_id: str, client_message_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"turn:{user_id}:{client_message_id}"))


def new_conversation_id(user_id: str, client_message_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"conversation:{user_id}:{client_message_id}"))


class NotYourConversation(Exception):
    pass


@dataclass(frozen=True)
class StartedTurn:
    conversation_id: str
    turn_id: str
    duplicate: bool
    flow: str | None = None  # the active multi-turn flow, e.g. "servicing"
    staff_owner: str | None = None  # the staff member who took the conversation, if any


def start_turn(
    *, conversation_id: str | None, user_id: str, role: str, client_message_id: str, text: str
) -> StartedTurn:
    """Persist the message: claim or check the conversation's owner, then add the turn once.

    Two conditional writes rather than one transaction: a transaction costs twice the write units
    on DynamoDB, and the two steps need no atomicity (a touched `updated_at` without a turn is
    harmless; the turn write alone decides whether this is a retry).
    """
    dynamodb = client("dynamodb")
    table = table_name("conversations")
    turn_id = turn_id_for(user_id, client_message_id)
    continuing = conversation_id is not None
    conversation_id = conversation_id or new_conversation_id(user_id, client_message_id)
    now = datetime.now(UTC).isoformat()
    try:
        if continuing:
            meta = dynamodb.update_item(
                TableName=table,
                Key={"conversation_id": {"S": conversation_id}, "sk": {"S": "META"}},
                UpdateExpression="SET updated_at = :now",
                ConditionExpression="customer_id = :me",
                ExpressionAttributeValues={":now": {"S": now}, ":me": {"S": user_id}},
                ReturnValues="ALL_NEW",
            )
        else:
            meta = dynamodb.update_item(
                TableName=table,
                Key={"conversation_id": {"S": conversation_id}, "sk": {"S": "META"}},
                UpdateExpression="SET customer_id = :me, created_at = if_not_exists(created_at, :now), "
                "updated_at = :now, #role = :role",
                ConditionExpression="attribute_not_exists(conversation_id) OR customer_id = :me",
                ExpressionAttributeNames={"#role": "role"},
                ExpressionAttributeValues={":now": {"S": now}, ":me": {"S": user_id}, ":role": {"S": role}},
                ReturnValues="ALL_NEW",
            )
    except dynamodb.exceptions.ConditionalCheckFailedException as exc:
        raise NotYourConversation(conversation_id) from exc
    attributes = meta.get("Attributes", {})
    flow = attributes.get("flow", {}).get("S")
    staff_owner = (
        attributes.get("handoff_agent", {}).get("S")
        if attributes.get("handoff_status", {}).get("S") == "taken"
        else None
    )
    try:
        dynamodb.put_item(
            TableName=table,
            Item={
                "conversation_id": {"S": conversation_id},
                "sk": {"S": f"TURN#{turn_id}"},
                "turn_id": {"S": turn_id},
                "customer_id": {"S": user_id},
                "client_message_id": {"S": client_message_id},
                "text": {"S": text},
                "at": {"S": now},
            },
            ConditionExpression="attribute_not_exists(sk)",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return StartedTurn(conversation_id, turn_id, duplicate=True, flow=flow, staff_owner=staff_owner)
    return StartedTurn(conversation_id, turn_id, duplicate=False, flow=flow, staff_owner=staff_owner)


def is_first_turn(conversation_id: str, user_id: str, client_message_id: str) -> bool:
    """True when this message opened the conversation (its id was derived from the message)."""
    return conversation_id == new_conversation_id(user_id, client_message_id)


@dataclass(frozen=True)
class PastTurn:
    turn_id: str
    text: str
    reply: str | None
    intent: str | None
    at: str


def recent_turns(conversation_id: str, *, exclude_turn: str | None = None, limit: int = 5) -> list[PastTurn]:
    response = client("dynamodb").query(
        TableName=table_name("conversations"),
        KeyConditionExpression="conversation_id = :c AND begins_with(sk, :p)",
        ExpressionAttributeValues={":c": {"S": conversation_id}, ":p": {"S": "TURN#"}},
    )
    turns = [
        PastTurn(
            turn_id=item["turn_id"]["S"],
            text=item["text"]["S"],
            reply=item.get("reply", {}).get("S"),
            intent=item.get("intent", {}).get("S"),
            at=item["at"]["S"],
        )
        for item in response.get("Items", [])
        if item["turn_id"]["S"] != exclude_turn
    ]
    turns.sort(key=lambda t: t.at)
    return turns[-limit:]


def record_reply(conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool) -> None:
    names = {"#reply": "reply", "#degraded": "degraded", "#replied": "replied_at"}
    values: dict[str, Any] = {
        ":reply": {"S": reply},
        ":degraded": {"BOOL": degraded},
        ":replied": {"N": f"{time.time():.3f}"},
    }
    expression = "SET #reply = :reply, #degraded = :degraded, #replied = :replied"
    if intent:
        names["#intent"] = "intent"
        values[":intent"] = {"S": intent}
        expression += ", #intent = :intent"
    client("dynamodb").update_item(
        TableName=table_name("conversations"),
        Key={"conversation_id": {"S": conversation_id}, "sk": {"S": f"TURN#{turn_id}"}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
