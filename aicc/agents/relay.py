"""A customer's message relayed to a staff member who is connected but does not answer (issue 14,
defect 10).

The ingress relays the message to the person who took the conversation and schedules a relay
deadline on the aggregator's deadline queue: a TurnDeadline with `relayed_to` and the message
inside, `AICC_STAFF_REPLY_TIMEOUT_S` later. When it is due:
- a staff message recorded since the customer's: nothing (answered in time);
- the person still owns the conversation: it goes back to its queue (one conditional write, so
  only one delivery of one deadline does it), the customer and the person are told, and the
  assistant answers the message;
- it is already back in its queue (an earlier message's deadline, or an earlier delivery of this
  one): the assistant answers the message; nobody is told again;
- another person took it meanwhile, or it was handed back: nothing (it is theirs, or the
  assistant's again).
The assistant answers by the coordinator handing the message on to the agents as the ingress would
have; the turn's join answers it once however often that happens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from aicc.agents.ingress import Accepted
from aicc.agents.staffdesk import QueuePush
from aicc.ports.handoff import Handoff
from aicc.ports.pusher import Pusher
from contracts.events import ConversationReceived, TurnDeadline
from contracts.frames import HandoffFrame

# Long enough for a person to read and type an answer, short enough that a customer does not give
# up; safety-critical messages do not wait for it (the assistant answers them at once).
DEFAULT_STAFF_REPLY_TIMEOUT_S = 90
SILENT_OWNER_TEXT = (
    "The team member who has your conversation has not answered yet. It is back in the queue for the next "
    "available person; meanwhile I'll answer here."
)


def staff_reply_timeout_s() -> int:
    return int(os.environ.get("AICC_STAFF_REPLY_TIMEOUT_S", DEFAULT_STAFF_REPLY_TIMEOUT_S))


def relay_deadline(accepted: Accepted) -> TurnDeadline | None:
    """The deadline of a message a staff member received; None for any other message."""
    if accepted.relay is None or accepted.relayed_to is None:
        return None
    return TurnDeadline(
        meta=accepted.relay.meta,
        deadline_s=staff_reply_timeout_s(),
        received=accepted.relay,
        relayed_to=accepted.relayed_to,
    )


@dataclass
class SilentOwner:
    handoff: Handoff
    pusher: Pusher
    queue_push: QueuePush | None = None

    def overdue(self, deadline: TurnDeadline) -> ConversationReceived | None:
        """At a relay's deadline: the message the assistant answers now, or None."""
        received, owner = deadline.received, deadline.relayed_to
        if received is None or owner is None:
            return None
        conversation_id = received.meta.conversation_id
        if self.handoff.staff_replied_since(conversation_id, received.meta.occurred_at):
            return None
        entry = self.handoff.entry(conversation_id)
        if entry is not None and entry.status == "taken" and entry.agent_id == owner:
            if self.handoff.requeue(conversation_id, owner):
                self._tell(received, owner, deadline.deadline_s)
                if self.queue_push is not None:
                    self.queue_push.changed(entry.dealer_id)
                return received
            entry = self.handoff.entry(conversation_id)  # it changed hands meanwhile
        return received if entry is not None and entry.status == "waiting" else None

    def _tell(self, received: ConversationReceived, owner: str, waited_s: int) -> None:
        conversation_id = received.meta.conversation_id
        customer = HandoffFrame(conversation_id=conversation_id, status="queued", text=SILENT_OWNER_TEXT)
        self.pusher.push_to_user(received.meta.customer_id, customer.model_dump_json())
        person = HandoffFrame(
            conversation_id=conversation_id,
            status="queued",
            text=f"Conversation {conversation_id} went back to its queue: the customer waited {waited_s} s "
            "without an answer.",
        )
        self.pusher.push_to_user(owner, person.model_dump_json())
