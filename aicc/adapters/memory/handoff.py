"""Handoff in memory, on the META records of a `MemoryConversations` (as on DynamoDB, where the
handoff attributes live on the conversation's META item).

As on DynamoDB: entering a queue or taking a conversation is one conditional change (a failed
condition changes nothing); handing back clears every handoff attribute; a human message id is
stored once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aicc.adapters.memory.conversations import MemoryConversations
from aicc.ports.handoff import AlreadyTaken, queue_for
from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded
from contracts.frames import QueueEntry

HANDOFF_ATTRIBUTES = (
    "handoff_queue",
    "handoff_since",
    "handoff_priority",
    "handoff_status",
    "handoff_agent",
    "handoff_dealer",
)


def _entry(conversation_id: str, meta: dict[str, Any]) -> QueueEntry:
    return QueueEntry(
        conversation_id=conversation_id,
        customer_id=meta["customer_id"],
        queue=meta["handoff_queue"],
        priority=meta.get("handoff_priority", "normal"),
        since=meta["handoff_since"],
        status=meta.get("handoff_status", "waiting"),
        dealer_id=meta.get("handoff_dealer"),
        agent_id=meta.get("handoff_agent"),
        last_message=meta.get("last_message"),
    )


class MemoryHandoff:
    def __init__(self, conversations: MemoryConversations | None = None) -> None:
        self.conversations = conversations or MemoryConversations()

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
        with self.conversations.lock:
            # Like an update on DynamoDB, this creates the META record if it is missing.
            meta = self.conversations.meta.setdefault(received.meta.conversation_id, {})
            if meta.get("handoff_status", "waiting") != "waiting":
                return None  # a person already has it
            meta.update(
                handoff_queue=queue,
                handoff_priority=route.priority,
                handoff_status="waiting",
                last_message=received.text[:200],
            )
            meta.setdefault("handoff_since", datetime.now(UTC).isoformat())
            if dealer_id:
                meta["handoff_dealer"] = dealer_id
        return queue

    def waiting_in(self, queue: str) -> list[QueueEntry]:
        with self.conversations.lock:
            return [
                _entry(conversation_id, meta)
                for conversation_id, meta in self.conversations.meta.items()
                if meta.get("handoff_queue") == queue and "handoff_since" in meta
            ]

    def entry(self, conversation_id: str) -> QueueEntry | None:
        with self.conversations.lock:
            meta = self.conversations.meta.get(conversation_id)
            return _entry(conversation_id, meta) if meta and "handoff_queue" in meta else None

    def take(self, conversation_id: str, agent_id: str) -> QueueEntry:
        with self.conversations.lock:
            meta = self.conversations.meta.get(conversation_id) or {}
            if not (meta.get("handoff_status") == "waiting" or meta.get("handoff_agent") == agent_id):
                raise AlreadyTaken(conversation_id)
            meta.update(handoff_status="taken", handoff_agent=agent_id)
            return _entry(conversation_id, meta)

    def requeue(self, conversation_id: str, agent_id: str) -> bool:
        with self.conversations.lock:
            meta = self.conversations.meta.get(conversation_id) or {}
            if meta.get("handoff_status") != "taken" or meta.get("handoff_agent") != agent_id:
                return False
            meta["handoff_status"] = "waiting"
            meta.pop("handoff_agent", None)
            return True

    def hand_back(self, conversation_id: str) -> None:
        with self.conversations.lock:
            meta = self.conversations.meta.get(conversation_id, {})
            for name in HANDOFF_ATTRIBUTES:
                meta.pop(name, None)

    def record_message(
        self, conversation_id: str, *, message_id: str, sender: str, sender_id: str, text: str, at: str
    ) -> bool:
        with self.conversations.lock:
            messages = self.conversations.messages.setdefault(conversation_id, {})
            if message_id in messages:
                return False
            messages[message_id] = {"sender": sender, "sender_id": sender_id, "text": text, "at": at}
            return True

    def staff_replied_since(self, conversation_id: str, since: datetime) -> bool:
        with self.conversations.lock:
            messages = list(self.conversations.messages.get(conversation_id, {}).values())
        return any(m["sender"] == "staff" and datetime.fromisoformat(m["at"]) >= since for m in messages)
