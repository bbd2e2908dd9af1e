"""Module-level access to the conversations port on DynamoDB, for callers not yet handed a
`Conversations` port (the aggregator's `record_reply`, `aicc.ops`'s turn list).

The port is `aicc.ports.conversations`; which conversation and turn a message is, is decided in
`aicc.agents.message_ids`.
"""

from __future__ import annotations

from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.ports.conversations import Conversations, NotYourConversation, PastTurn, StartedTurn

conversations: Conversations = DynamoDBConversations()

__all__ = ["NotYourConversation", "PastTurn", "StartedTurn", "conversations", "record_reply", "turn_ids"]


def record_reply(conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool) -> None:
    conversations.record_reply(conversation_id, turn_id, reply=reply, intent=intent, degraded=degraded)


def turn_ids(conversation_id: str) -> list[str]:
    return conversations.turn_ids(conversation_id)
