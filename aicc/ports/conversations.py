"""Conversations: who owns a conversation, and each turn's message and reply.

Extended by the WebSocket side (starting a turn, history); the coordinator only records replies.
"""

from __future__ import annotations

from typing import Protocol


class Conversations(Protocol):
    def record_reply(
        self, conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool
    ) -> None:
        """Store the reply beside the turn's message (a repeat overwrites with the same values)."""
        ...
