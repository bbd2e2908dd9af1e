"""The ingress's decisions for a customer's message: store it as a turn (once), then hand it to
the assistant (ConversationReceived), relay it to the staff member who owns the conversation, or,
for a retry, only ack it again.

Nobody is left unanswered behind a person (issue 14, defect 10):
- when the owner has no open connection, the conversation goes back to its queue for the next
  staff member, the customer is told so (a `handoff` frame, status `queued`) and the assistant
  answers the message;
- a safety-critical message (a roadside case, or critical urgency, by the local readings) is
  answered by the assistant with the roadside guidance even while a person owns the conversation,
  unless that person is the roadside team; the person still receives it.
An owner who is connected but does not answer: each message relayed to them carries a deadline
(aicc.agents.relay) that hands it to the assistant when they have not answered it in time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from aicc.agents.message_ids import (
    MAX_GENERATIONS,
    OPENING_RETRY_WINDOW_S,
    new_conversation_id,
    turn_id_for,
)
from aicc.agents.referents import resolve
from aicc.agents.staffdesk import QueuePush
from aicc.ports.conversations import Conversations, NewTurn, StartedTurn
from aicc.ports.handoff import Handoff
from aicc.ports.pusher import Pusher
from contracts.common import DialogState
from contracts.events import ConversationReceived, EventMeta
from contracts.frames import AckFrame, HandoffFrame, MessageFrame

Outcome = Literal["accepted", "duplicate", "relayed", "requeued", "resumed"]
# How long after its deadline an unanswered turn's reply can still be on its way (composed, pushed,
# recorded); a retry later than that finds the turn lost.
RESUME_MARGIN_S = 3.0
STRANDED_TEXT = (
    "The team member who had your conversation is not connected right now. It is back in the queue for the "
    "next available person; meanwhile I'll answer here."
)


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
    # A message a staff member received: who, and the message as the assistant would get it, for the
    # relay's deadline (the assistant answers it if the person does not).
    relayed_to: str | None = None
    relay: ConversationReceived | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class Ingress:
    def __init__(
        self,
        conversations: Conversations,
        pusher: Pusher,
        now: Callable[[], datetime] = _now,
        handoff: Handoff | None = None,
        resume_after: Callable[[], float] | None = None,
        queue_push: QueuePush | None = None,
    ) -> None:
        self.conversations = conversations
        self.pusher = pusher
        self.now = now
        self.handoff = handoff  # without it, a stranded conversation is answered but not requeued
        self.resume_after = resume_after or resume_after_s
        self.queue_push = queue_push  # tells connected staff a stranded conversation is waiting again

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
            if self._lost(turn):
                return self._to_assistant(message, sender, turn, ack, "resumed")
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
            if delivered:
                owed = self._to_assistant(message, sender, turn, ack, "relayed", delivered=delivered)
                if not (safety_critical(message.text) and self._outside_roadside(turn.conversation_id)):
                    return replace(owed, received=None, relayed_to=turn.staff_owner, relay=owed.received)
                # Safety-critical: the assistant answers now, and the person still owes an answer.
                return replace(owed, outcome="accepted", relayed_to=turn.staff_owner, relay=owed.received)
            elif self.handoff is not None and self.handoff.requeue(turn.conversation_id, turn.staff_owner):
                notice = HandoffFrame(conversation_id=turn.conversation_id, status="queued", text=STRANDED_TEXT)
                self.pusher.push(message.connection_id, notice.model_dump_json())
                if self.queue_push is not None:
                    self.queue_push.changed_conversation(turn.conversation_id)
                return self._to_assistant(message, sender, turn, ack, "requeued")
            # Relayed to nobody, or safety-critical: the assistant answers too.
            return self._to_assistant(message, sender, turn, ack, "accepted", delivered=delivered)
        return self._to_assistant(message, sender, turn, ack, "accepted")

    def _lost(self, turn: StartedTurn) -> bool:
        """A retried turn that is still unanswered well past its deadline: its events died with a
        process (a stopped embedded stack; on AWS a function that died between storing and
        publishing). It goes to the assistant again, from the retry's connection; the coordinator's
        claim keeps it to one reply if the first one was only slow. A turn relayed to a person is not."""
        if turn.answered or turn.staff_owner or turn.accepted_at is None:
            return False
        return (self.now() - turn.accepted_at).total_seconds() >= self.resume_after()

    def _outside_roadside(self, conversation_id: str) -> bool:
        """The person who has it is not the roadside team (who give the roadside guidance themselves)."""
        entry = self.handoff.entry(conversation_id) if self.handoff is not None else None
        return entry is None or entry.queue != "roadside"

    def _to_assistant(
        self, message: Message, sender: Sender, turn: StartedTurn, ack: AckFrame, outcome: Outcome, delivered: int = 0
    ) -> Accepted:
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
        return Accepted(ack, outcome, received=received, delivered=delivered)


def resume_after_s() -> float:
    """Age at which a retried, unanswered turn is taken as lost: its deadline plus the margin."""
    from aicc.agents.overload import turn_deadline_s  # overload builds on this module

    return turn_deadline_s() + RESUME_MARGIN_S


def safety_critical(text: str) -> bool:
    """A message nobody may leave unanswered: a roadside case or critical urgency (local readings)."""
    from aicc.nlu.intent import local_detect_intent
    from aicc.nlu.sentiment import local_analyze_sentiment

    return (
        local_detect_intent(text).intent == "roadside_assistance" or local_analyze_sentiment(text).urgency == "critical"
    )


def _dialog(turn: StartedTurn) -> DialogState:
    """The conversation's dialog state; its escalation only while the conversation is in a staff queue."""
    dialog = DialogState.model_validate(turn.dialog or {})
    return dialog if turn.handoff_open else dialog.model_copy(update={"escalation": None})
