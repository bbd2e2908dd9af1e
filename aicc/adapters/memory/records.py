"""A conversation read whole from a `MemoryConversations` (turns, and the human messages that
`MemoryHandoff` keeps beside them), as the DynamoDB adapter reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.adapters.memory.conversations import MemoryConversations
from aicc.ports.records import StoredConversation, StoredMessage, StoredTurn


class MemoryConversationRecords:
    def __init__(self, conversations: MemoryConversations) -> None:
        self.conversations = conversations

    def read(self, conversation_id: str) -> StoredConversation | None:
        with self.conversations.lock:
            meta = self.conversations.meta.get(conversation_id)
            if meta is None or "customer_id" not in meta:
                return None
            turns = [dict(r) for r in self.conversations.turns.get(conversation_id, {}).values()]
            messages = [dict(m) for m in self.conversations.messages.get(conversation_id, {}).values()]
        stored = [
            StoredTurn(
                turn_id=r["turn_id"],
                text=r["text"],
                at=r["at"],
                client_message_id=r.get("client_message_id"),
                reply=r.get("reply"),
                intent=r.get("intent"),
                degraded=bool(r.get("degraded", False)),
                replied_at=(datetime.fromtimestamp(r["replied_at"], UTC).isoformat() if "replied_at" in r else None),
            )
            for r in turns
            if "at" in r and "text" in r
        ]
        return StoredConversation(
            conversation_id=conversation_id,
            customer_id=meta["customer_id"],
            turns=sorted(stored, key=lambda t: t.at),
            messages=sorted(
                (StoredMessage(m["sender"], m["sender_id"], m["text"], m["at"]) for m in messages),
                key=lambda m: m.at,
            ),
        )
