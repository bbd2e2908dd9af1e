"""Human handoff: staff queues, taking and handing back conversations, the human messages.

The port stores and answers; who may see or take what (queues per role, dealerships, priority
order) is decided by the caller (`aicc.agents.staffdesk`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded
from contracts.frames import QueueEntry


class AlreadyTaken(Exception):
    """Another staff member owns the conversation."""


def queue_for(
    route: Route, intent: IntentDetected | None, profile: ProfileLoaded | None
) -> tuple[str | None, str | None]:
    """(queue, dealer) a routed turn waits in: sales go to the dealer the customer named, else
    their preferred dealer; other queues are shared."""
    dealer_id = (intent.entities.dealer if intent else None) or (
        profile.profile.preferred_dealer if profile and profile.profile else None
    )
    queue = f"sales#{dealer_id}" if route.queue == "sales" and dealer_id else route.queue
    return queue, dealer_id


class Handoff(Protocol):
    def enter_queue(
        self,
        received: ConversationReceived,
        route: Route,
        *,
        intent: IntentDetected | None,
        profile: ProfileLoaded | None,
    ) -> str | None:
        """Put the conversation in the route's staff queue; the queue, or None if a person already owns it."""
        ...

    def waiting_in(self, queue: str) -> list[QueueEntry]:
        """The conversations in one queue (waiting or taken), in no particular order."""
        ...

    def entry(self, conversation_id: str) -> QueueEntry | None:
        """The conversation's queue entry, None when it is in no queue (consistent read)."""
        ...

    def take(self, conversation_id: str, agent_id: str) -> QueueEntry:
        """Make `agent_id` the owner if the conversation is waiting (or already theirs): one
        conditional write, so exactly one staff member gets it. Raises AlreadyTaken."""
        ...

    def requeue(self, conversation_id: str, agent_id: str) -> bool:
        """Put a conversation `agent_id` owns back in its queue, waiting for the next staff member
        (the assistant answers meanwhile); False, changing nothing, when they no longer own it."""
        ...

    def hand_back(self, conversation_id: str) -> None:
        """Take the conversation out of every queue: the assistant answers it again."""
        ...

    def record_message(
        self, conversation_id: str, *, message_id: str, sender: str, sender_id: str, text: str, at: str
    ) -> bool:
        """Keep a human message beside the bot turns; False (nothing written) for a message id already stored."""
        ...

    def staff_replied_since(self, conversation_id: str, since: datetime) -> bool:
        """Whether a staff message of the conversation was recorded at or after `since` (consistent read)."""
        ...
