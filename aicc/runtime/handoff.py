"""Human handoff: staff queues on the conversations table, and who owns a conversation.

A conversation routed to a person gets `handoff_*` attributes on its META item. `handoff_queue`
+ `handoff_since` are the keys of the sparse `by_handoff` index, so the index *is* the queue.
Status `waiting` (the bot still answers) or `taken` (a staff member owns it: the ingress relays
the customer's messages to them and the bot stays silent) until the staff member hands it back.

Visibility: `oem_staff` see every queue; `dealer` staff see only conversations of their own
dealership (the dealer the customer named, else their preferred dealer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aicc.data.reference import dealers
from aicc.runtime.clients import client
from aicc.runtime.push import push_to_user
from aicc.runtime.tables import table_name
from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded
from contracts.frames import HandoffFrame, QueueEntry

QUEUE_LABELS = {"roadside": "roadside assistance", "customer_care": "customer care", "sales": "sales"}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class HandoffError(Exception):
    code = "conflict"


class NotFound(HandoffError):
    code = "not_found"


class Forbidden(HandoffError):
    code = "forbidden"


@dataclass(frozen=True)
class Staff:
    user_id: str
    role: str
    dealer_id: str | None

    def may_see(self, dealer_id: str | None) -> bool:
        return self.role == "oem_staff" or (
            self.role == "dealer" and dealer_id is not None and dealer_id == self.dealer_id
        )


def all_queues() -> list[str]:
    return ["roadside", "customer_care", *(f"sales#{dealer_id}" for dealer_id in sorted(dealers()))]


def _meta_key(conversation_id: str) -> dict[str, Any]:
    return {"conversation_id": {"S": conversation_id}, "sk": {"S": "META"}}


def enter_queue(
    received: ConversationReceived, route: Route, *, intent: IntentDetected | None, profile: ProfileLoaded | None
) -> str | None:
    """Put the conversation in the route's staff queue (unless a person already owns it)."""
    dealer_id = (intent.entities.dealer if intent else None) or (
        profile.profile.preferred_dealer if profile and profile.profile else None
    )
    queue = f"sales#{dealer_id}" if route.queue == "sales" and dealer_id else route.queue
    if not queue:
        return None
    now = datetime.now(UTC).isoformat()
    values: dict[str, Any] = {
        ":q": {"S": queue},
        ":since": {"S": now},
        ":p": {"S": route.priority},
        ":waiting": {"S": "waiting"},
        ":last": {"S": received.text[:200]},
    }
    expression = (
        "SET handoff_queue = :q, handoff_since = if_not_exists(handoff_since, :since), handoff_priority = :p, "
        "handoff_status = :waiting, last_message = :last"
    )
    if dealer_id:
        values[":d"] = {"S": dealer_id}
        expression += ", handoff_dealer = :d"
    dynamodb = client("dynamodb")
    try:
        dynamodb.update_item(
            TableName=table_name("conversations"),
            Key=_meta_key(received.meta.conversation_id),
            UpdateExpression=expression,
            ConditionExpression="attribute_not_exists(handoff_status) OR handoff_status = :waiting",
            ExpressionAttributeValues=values,
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return None  # a person already has it
    return queue


def _entry(item: dict[str, Any]) -> QueueEntry:
    return QueueEntry(
        conversation_id=item["conversation_id"]["S"],
        customer_id=item["customer_id"]["S"],
        queue=item["handoff_queue"]["S"],
        priority=item.get("handoff_priority", {}).get("S", "normal"),
        since=item["handoff_since"]["S"],
        status=item.get("handoff_status", {}).get("S", "waiting"),
        dealer_id=item.get("handoff_dealer", {}).get("S"),
        agent_id=item.get("handoff_agent", {}).get("S"),
        last_message=item.get("last_message", {}).get("S"),
    )


def list_queue(staff: Staff) -> list[QueueEntry]:
    dynamodb = client("dynamodb")
    entries: list[QueueEntry] = []
    for queue in all_queues():
        if staff.role == "dealer" and queue.startswith("sales#") and queue != f"sales#{staff.dealer_id}":
            continue
        response = dynamodb.query(
            TableName=table_name("conversations"),
            IndexName="by_handoff",
            KeyConditionExpression="handoff_queue = :q",
            ExpressionAttributeValues={":q": {"S": queue}},
        )
        entries.extend(_entry(item) for item in response.get("Items", []))
    visible = [e for e in entries if staff.may_see(e.dealer_id)]
    return sorted(visible, key=lambda e: (PRIORITY_ORDER.get(e.priority, 9), e.since))


def _load(conversation_id: str) -> dict[str, Any]:
    item = client("dynamodb").get_item(
        TableName=table_name("conversations"), Key=_meta_key(conversation_id), ConsistentRead=True
    )
    if "Item" not in item or "handoff_queue" not in item["Item"]:
        raise NotFound(conversation_id)
    return item["Item"]


def take(conversation_id: str, staff: Staff) -> QueueEntry:
    item = _load(conversation_id)
    if not staff.may_see(item.get("handoff_dealer", {}).get("S")):
        raise Forbidden(conversation_id)
    dynamodb = client("dynamodb")
    try:
        response = dynamodb.update_item(
            TableName=table_name("conversations"),
            Key=_meta_key(conversation_id),
            UpdateExpression="SET handoff_status = :taken, handoff_agent = :me",
            ConditionExpression="handoff_status = :waiting OR handoff_agent = :me",
            ExpressionAttributeValues={
                ":taken": {"S": "taken"},
                ":waiting": {"S": "waiting"},
                ":me": {"S": staff.user_id},
            },
            ReturnValues="ALL_NEW",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException as exc:
        raise HandoffError(f"{conversation_id} is already taken") from exc
    entry = _entry(response["Attributes"])
    queue = QUEUE_LABELS.get(entry.queue.split("#")[0], entry.queue)
    notice = HandoffFrame(
        conversation_id=conversation_id,
        status="taken",
        queue=entry.queue,
        agent_id=staff.user_id,
        text=f"A member of our {queue} team has joined the conversation.",
    )
    push_to_user(entry.customer_id, notice.model_dump_json())
    return entry


def owned(conversation_id: str, staff: Staff) -> QueueEntry:
    """The conversation's entry, if this staff member took it."""
    entry = _entry(_load(conversation_id))
    if entry.status != "taken" or entry.agent_id != staff.user_id:
        raise Forbidden(f"{conversation_id} is not yours")
    return entry


def hand_back(conversation_id: str, staff: Staff) -> QueueEntry:
    entry = owned(conversation_id, staff) if staff.role != "oem_staff" else _entry(_load(conversation_id))
    client("dynamodb").update_item(
        TableName=table_name("conversations"),
        Key=_meta_key(conversation_id),
        UpdateExpression="REMOVE handoff_queue, handoff_since, handoff_priority, handoff_status, handoff_agent, "
        "handoff_dealer",
    )
    notice = HandoffFrame(
        conversation_id=conversation_id,
        status="returned",
        text="You're back with the Aurora Motors assistant. How else can I help?",
    )
    push_to_user(entry.customer_id, notice.model_dump_json())
    return entry


def record_message(conversation_id: str, *, sender: str, sender_id: str, text: str, at: str, message_id: str) -> bool:
    """Keep the human part of the conversation beside the bot turns; False for a retried message."""
    dynamodb = client("dynamodb")
    try:
        dynamodb.put_item(
            TableName=table_name("conversations"),
            Item={
                "conversation_id": {"S": conversation_id},
                "sk": {"S": f"MSG#{message_id}"},
                "sender": {"S": sender},
                "sender_id": {"S": sender_id},
                "text": {"S": text},
                "at": {"S": at},
            },
            ConditionExpression="attribute_not_exists(sk)",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True
