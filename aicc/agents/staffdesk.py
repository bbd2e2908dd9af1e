"""The staff desk: what a staff member (role `dealer` or `oem_staff`) may see and do with handed-off
conversations, and who is told.

Visibility: `oem_staff` see every queue; `dealer` staff see only conversations of their own
dealership (the dealer the customer named, else their preferred dealer). A queue lists the most
urgent first, then the oldest.

Live queue: whenever a queue changes (a conversation enters it or gets a new last message, is
taken, handed back or requeued), `QueuePush` sends a fresh `queue` frame to every open connection
of staff who may see the conversation. Best effort: a failed push is logged, and the console still
polls `listQueue` now and then. A duplicate push is harmless: it is the whole queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from aicc.data.reference import dealers
from aicc.ports.connections import Connections
from aicc.ports.handoff import AlreadyTaken, Handoff
from aicc.ports.pusher import Pusher
from contracts.frames import (
    HandBack,
    HandoffFrame,
    ListQueue,
    MessageFrame,
    QueueEntry,
    QueueFrame,
    StaffReply,
    TakeConversation,
)

QUEUE_LABELS = {"roadside": "roadside assistance", "customer_care": "customer care", "sales": "sales"}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
STAFF_ROLES = ("dealer", "oem_staff")

StaffAction = ListQueue | TakeConversation | StaffReply | HandBack
StaffFrame = QueueFrame | HandoffFrame | MessageFrame


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


def _now() -> str:
    return datetime.now(UTC).isoformat()


def visible_queue(handoff: Handoff, staff: Staff) -> list[QueueEntry]:
    """The conversations `staff` may see, most urgent first, then the oldest."""
    entries: list[QueueEntry] = []
    for queue in all_queues():
        if staff.role == "dealer" and queue.startswith("sales#") and queue != f"sales#{staff.dealer_id}":
            continue  # another dealership's sales queue: not even read
        entries.extend(handoff.waiting_in(queue))
    visible = [e for e in entries if staff.may_see(e.dealer_id)]
    return sorted(visible, key=lambda e: (PRIORITY_ORDER.get(e.priority, 9), e.since))


class QueuePush:
    """Pushes the queue to the staff who may see a changed conversation: every `oem_staff`, and the
    `dealer` staff of the conversation's dealership."""

    def __init__(self, handoff: Handoff, connections: Connections, pusher: Pusher) -> None:
        self.handoff = handoff
        self.connections = connections
        self.pusher = pusher
        self.logger = Logger(service="queue-push")

    def changed(self, dealer_id: str | None) -> int:
        """After a change to a conversation of `dealer_id`'s customer: how many connections got a
        fresh queue frame. Never raises (the change itself is done; the poll catches up)."""
        audiences = [Staff("", "oem_staff", None)] + ([Staff("", "dealer", dealer_id)] if dealer_id else [])
        pushed = 0
        for staff in audiences:
            try:
                connection_ids = self.connections.of_staff(staff.role, staff.dealer_id)
                if not connection_ids:
                    continue  # nobody to tell: the queue is not even read
                frame = QueueFrame(conversations=visible_queue(self.handoff, staff)).model_dump_json()
                # A gone connection (410) is dropped by the pusher itself.
                pushed += sum(self.pusher.push(connection_id, frame) for connection_id in connection_ids)
            except Exception:
                self.logger.exception("queue push failed", extra={"role": staff.role, "dealer_id": staff.dealer_id})
        return pushed

    def changed_conversation(self, conversation_id: str) -> int:
        """As `changed`, for a conversation still in a queue (its entry says whose dealership it is)."""
        try:
            entry = self.handoff.entry(conversation_id)
        except Exception:
            self.logger.exception("queue push failed", extra={"conversation_id": conversation_id})
            return 0
        return self.changed(entry.dealer_id) if entry is not None else 0


class StaffDesk:
    def __init__(
        self,
        handoff: Handoff,
        pusher: Pusher,
        now: Callable[[], str] = _now,
        queue_push: QueuePush | None = None,
    ) -> None:
        self.handoff = handoff
        self.pusher = pusher
        self.now = now
        self.queue_push = queue_push  # without it, staff see changes at their next listQueue

    def list_queue(self, staff: Staff) -> list[QueueEntry]:
        return visible_queue(self.handoff, staff)

    def _entry(self, conversation_id: str) -> QueueEntry:
        entry = self.handoff.entry(conversation_id)
        if entry is None:
            raise NotFound(conversation_id)
        return entry

    def take(self, conversation_id: str, staff: Staff) -> QueueEntry:
        """Take the conversation (exactly one staff member gets it); the customer is told."""
        if not staff.may_see(self._entry(conversation_id).dealer_id):
            raise Forbidden(conversation_id)
        try:
            entry = self.handoff.take(conversation_id, staff.user_id)
        except AlreadyTaken as exc:
            raise HandoffError(f"{conversation_id} is already taken") from exc
        # The other staff first: the customer, once told, may write at once, and the taker should
        # have this action's answer before that message is relayed to them.
        if self.queue_push is not None:
            self.queue_push.changed(entry.dealer_id)
        queue = QUEUE_LABELS.get(entry.queue.split("#")[0], entry.queue)
        notice = HandoffFrame(
            conversation_id=conversation_id,
            status="taken",
            queue=entry.queue,
            agent_id=staff.user_id,
            text=f"A member of our {queue} team has joined the conversation.",
        )
        self.pusher.push_to_user(entry.customer_id, notice.model_dump_json())
        return entry

    def owned(self, conversation_id: str, staff: Staff) -> QueueEntry:
        """The conversation's entry, if this staff member took it."""
        entry = self._entry(conversation_id)
        if entry.status != "taken" or entry.agent_id != staff.user_id:
            raise Forbidden(f"{conversation_id} is not yours")
        return entry

    def reply(self, conversation_id: str, staff: Staff, *, text: str, client_message_id: str) -> MessageFrame:
        """Deliver the staff member's message to every connection of the customer, once per message id."""
        entry = self.owned(conversation_id, staff)
        message = MessageFrame(
            conversation_id=entry.conversation_id,
            sender="staff",
            sender_id=staff.user_id,
            text=text,
            at=self.now(),
            client_message_id=client_message_id,
        )
        fresh = self.handoff.record_message(
            entry.conversation_id,
            message_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{staff.user_id}:{client_message_id}")),
            sender="staff",
            sender_id=staff.user_id,
            text=text,
            at=message.at,
        )
        # A retried frame is answered again but not delivered twice.
        if fresh:
            self.pusher.push_to_user(entry.customer_id, message.model_dump_json())
        return message

    def hand_back(self, conversation_id: str, staff: Staff) -> QueueEntry:
        """Give the conversation back to the assistant (its owner, or any `oem_staff`); the customer is told."""
        entry = self.owned(conversation_id, staff) if staff.role != "oem_staff" else self._entry(conversation_id)
        self.handoff.hand_back(conversation_id)
        notice = HandoffFrame(
            conversation_id=conversation_id,
            status="returned",
            text="You're back with the Aurora Motors assistant. How else can I help?",
        )
        self.pusher.push_to_user(entry.customer_id, notice.model_dump_json())
        if self.queue_push is not None:
            self.queue_push.changed(entry.dealer_id)
        return entry

    def act(self, action: StaffAction, staff: Staff) -> StaffFrame:
        """The frame answering a staff action. Raises HandoffError (its `code` is the error frame's)."""
        if staff.role not in STAFF_ROLES:
            raise Forbidden("staff actions need the dealer or oem_staff role")
        if isinstance(action, ListQueue):
            return QueueFrame(conversations=self.list_queue(staff))
        if isinstance(action, TakeConversation):
            entry = self.take(action.conversation_id, staff)
            return HandoffFrame(
                conversation_id=entry.conversation_id,
                status="taken",
                queue=entry.queue,
                agent_id=staff.user_id,
                text=f"You now answer conversation {entry.conversation_id}.",
            )
        if isinstance(action, StaffReply):
            return self.reply(
                action.conversation_id, staff, text=action.text, client_message_id=action.client_message_id
            )
        entry = self.hand_back(action.conversation_id, staff)
        return HandoffFrame(
            conversation_id=entry.conversation_id,
            status="returned",
            queue=entry.queue,
            agent_id=staff.user_id,
            text="The assistant answers this conversation again.",
        )
