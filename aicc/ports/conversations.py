"""Conversations: who owns a conversation, and each turn's message and reply.

The ingress starts turns (claiming or checking the conversation's owner, then storing the message
once), personalization reads recent turns, the coordinator records replies, operator tools list a
conversation's turns. Which ids a message maps to is decided by the caller
(`aicc.agents.message_ids`); a port stores and answers, it does not derive ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class NotYourConversation(Exception):
    """The conversation exists and belongs to someone else."""


class NoSuchConversation(NotYourConversation):
    """The conversation does not exist (e.g. a stale id): not the sender's either, but nobody else's.
    A subclass, so a caller that only checks ownership refuses it as well."""


@dataclass(frozen=True)
class NewTurn:
    """A customer's message, to be stored as turn `turn_id` of `conversation_id`."""

    conversation_id: str
    turn_id: str
    user_id: str
    role: str
    client_message_id: str
    text: str
    at: datetime


@dataclass(frozen=True)
class StartedTurn:
    conversation_id: str
    turn_id: str
    duplicate: bool  # the turn was already stored: a retry
    flow: str | None = None  # the active multi-turn flow, e.g. "servicing"
    staff_owner: str | None = None  # the staff member who took the conversation, if any
    accepted_at: datetime | None = None  # when the turn was first stored (the earlier one for a retry)
    dialog: dict[str, Any] | None = None  # the conversation's dialog state (contracts.common.DialogState, JSON)
    handoff_open: bool = False  # in a staff queue, waiting or taken (a hand-back closes it)
    answered: bool = False  # a retry whose turn has its reply recorded (`record_reply`)


@dataclass(frozen=True)
class PastTurn:
    turn_id: str
    text: str
    reply: str | None
    intent: str | None
    at: str  # ISO 8601, as stored when the turn started


class Conversations(Protocol):
    def start_turn(self, turn: NewTurn, *, opens: bool) -> StartedTurn:
        """Store the message once, as the conversation's owner.

        `opens`: the message starts the conversation, which is created for the sender unless it
        exists already (then it must be theirs). Otherwise the conversation must exist and be the
        sender's. Raises NoSuchConversation or NotYourConversation. A turn id already stored is a retry: nothing is
        written, `duplicate` is True, `accepted_at` is when it was first stored and `answered` whether its
        reply was recorded.
        """
        ...

    def recent_turns(self, conversation_id: str, *, exclude_turn: str | None = None, limit: int = 5) -> list[PastTurn]:
        """The last `limit` turns in time order, without `exclude_turn`."""
        ...

    def turn_ids(self, conversation_id: str) -> list[str]:
        """Every turn id of the conversation, in time order (empty for an unknown conversation)."""
        ...

    def record_reply(
        self, conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool
    ) -> None:
        """Store the reply beside the turn's message (a repeat overwrites with the same values)."""
        ...

    def save_dialog(self, conversation_id: str, dialog: dict[str, Any]) -> None:
        """Store the conversation's dialog state (contracts.common.DialogState, JSON); the next turn
        starts from it (`StartedTurn.dialog`). A conversation that does not exist is left alone."""
        ...
