"""The ingress's decisions for a customer's message: store it as a turn (once), then hand it to
the assistant (ConversationReceived), relay it to the staff member who owns the conversation, or,
for a retry, only ack it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from aicc.agents.message_ids import (
    MAX_GENERATIONS,
    OPENING_RETRY_WINDOW_S,
    new_conversation_id,
    turn_id_for,
)
from aicc.agents.referents import resolve
from aicc.ports.conversations import Conversations, NewTurn, StartedTurn
from aicc.ports.pusher import Pusher
from contracts.common import DialogState
from contracts.events import ConversationReceived, EventMeta
from contracts.frames import AckFrame, MessageFrame

Outcome = Literal["accepted", "duplicate", "relayed"]


@dataclass(frozen=True)
class Sender:
    """Who sent the message, as the authorizer established."""

    user_id: str
    role: str
    dealer_id: str | None = None


@dataclass(frozen=True)
class Message:
    """A validated `sendMessage` frame (text already stripped and non-empty)."""

    text: str
    client_message_id: str
    conversation_id: str | None
    connection_id: str
    causation_id: str  # the API Gateway request that carried it


@dataclass(frozen=True)
class Accepted:
    ack: AckFrame
    outcome: Outcome
    received: ConversationReceived | None = None  # to publish when the assistant answers the turn
    delivered: int = 0  # connections of the staff owner the message reached (outcome "relayed")


def _now() -> datetime:
    return datetime.now(UTC)


class Ingress:
    def __init__(self, conversations: Conversations, pusher: Pusher, now: Callable[[], datetime] = _now) -> None:
        self.conversations = conversations
        self.pusher = pusher
        self.now = now

    def start(self, message: Message, sender: Sender) -> StartedTurn:
        """Store the message as a turn of its conversation. Raises NotYourConversation."""
        at = self.now()

        def turn(conversation_id: str) -> NewTurn:
            return NewTurn(
                conversation_id=conversation_id,
                turn_id=turn_id_for(conversation_id, sender.user_id, message.client_message_id),
                user_id=sender.user_id,
                role=sender.role,
                client_message_id=message.client_message_id,
                text=message.text,
                at=at,
            )

        if message.conversation_id is not None:
            return self.conversations.start_turn(turn(message.conversation_id), opens=False)
        started: StartedTurn | None = None
        for generation in range(MAX_GENERATIONS):
            conversation_id = new_conversation_id(sender.user_id, message.client_message_id, message.text, generation)
            started = self.conversations.start_turn(turn(conversation_id), opens=True)
            first = started.accepted_at or at
            if not started.duplicate or (at - first).total_seconds() < OPENING_RETRY_WINDOW_S:
                return started
            # The same opening as an older conversation's, too old to be its retry: a new conversation.
        assert started is not None
        return started

    def accept(self, message: Message, sender: Sender) -> Accepted:
        turn = self.start(message, sender)
        ack = AckFrame(
            client_message_id=message.client_message_id, conversation_id=turn.conversation_id, turn_id=turn.turn_id
        )
        if turn.duplicate:
            # The client retried a message already accepted: ack it again, nothing else.
            return Accepted(ack, "duplicate")
        if turn.staff_owner:
            # A person owns this conversation: relay to them, the assistant stays silent.
            relay = MessageFrame(
                conversation_id=turn.conversation_id,
                sender="customer",
                sender_id=sender.user_id,
                text=message.text,
                at=self.now().isoformat(),
                client_message_id=message.client_message_id,
            )
            delivered = self.pusher.push_to_user(turn.staff_owner, relay.model_dump_json())
            return Accepted(ack, "relayed", delivered=delivered)
        dialog = _dialog(turn)
        # "what about the other one?": the previous question about the other car, for every agent to answer.
        resolved = resolve(message.text, dialog, in_flow=turn.flow is not None)
        received = ConversationReceived(
            meta=EventMeta(
                turn_id=turn.turn_id,
                conversation_id=turn.conversation_id,
                customer_id=sender.user_id,
                causation_id=message.causation_id,
                producer="ingress",
                occurred_at=self.now(),
                flow=turn.flow,
            ),
            text=resolved or message.text,
            client_message_id=message.client_message_id,
            connection_id=message.connection_id,
            role=sender.role,
            dealer_id=sender.dealer_id,
            dialog=dialog,
            typed=message.text if resolved else None,
        )
        return Accepted(ack, "accepted", received=received)


def _dialog(turn: StartedTurn) -> DialogState:
    """The conversation's dialog state; its escalation only while the conversation is in a staff queue."""
    dialog = DialogState.model_validate(turn.dialog or {})
    return dialog if turn.handoff_open else dialog.model_copy(update={"escalation": None})
