"""A conversation read whole: its owner, every customer turn with its reply, and the human messages.

The transcript, the assist's summary and its retrieval read it (`aicc.agents.casefile`); who may
read it is decided there, not by the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class StoredTurn:
    turn_id: str
    text: str
    at: str  # ISO 8601, when the turn started
    client_message_id: str | None = None
    reply: str | None = None
    intent: str | None = None
    degraded: bool = False
    replied_at: str | None = None  # ISO 8601, when the reply was recorded


@dataclass(frozen=True)
class StoredMessage:
    """A message between the customer and a staff member (not a turn of the assistant)."""

    sender: str  # customer or staff
    sender_id: str
    text: str
    at: str  # ISO 8601


@dataclass(frozen=True)
class StoredConversation:
    conversation_id: str
    customer_id: str
    turns: list[StoredTurn] = field(default_factory=list)  # time order
    messages: list[StoredMessage] = field(default_factory=list)  # time order


class ConversationRecords(Protocol):
    def read(self, conversation_id: str) -> StoredConversation | None:
        """The whole conversation (a consistent read), or None when it does not exist."""
        ...
