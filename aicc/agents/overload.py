"""Holding the reply time under overload (issue 14, defect 9): admission and an on-time deadline.

1. Admission: the ingress counts customer turns in flight (accepted, not yet answered; the
   `Admission` port) and past `AICC_MAX_TURNS_IN_FLIGHT` answers the frame with an error `busy`
   and `retry_after_s` instead of queueing it where every reply would wait. Nothing is stored for a
   shed frame: the client sends the same frame again (same client_message_id) after the pause.
2. Deadline: the ingress schedules each turn's TurnDeadline itself, with the message inside, on the
   aggregator's deadline queue (`AICC_DEADLINE_QUEUE_URL`, a queue of its own: no backlog of results
   waits in front of it). When it is due the aggregator answers from what it holds, degraded, even if
   the message itself is still queued behind a backlog. A message relayed to a staff member gets
   its own deadline there too (aicc.agents.relay).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from aicc.agents.ingress import Accepted
from aicc.agents.relay import relay_deadline
from aicc.ports.admission import Admission
from aicc.ports.bus import Bus
from contracts.events import ConversationReceived, TurnDeadline
from contracts.frames import ErrorFrame
from contracts.manifest import manifest

# Turns in flight the stack takes before it sheds. By Little's law, in flight = throughput x reply
# time: to hold replies near 2 s, about twice the turns a second the stack sustains (the embedded
# stack on two free cores: some 8 a second). On AWS, size it to the Lambda concurrency the account
# grants the reply path. `aicc bench` measures both figures.
DEFAULT_MAX_TURNS_IN_FLIGHT = 16
DEFAULT_BUSY_RETRY_AFTER_S = 2.0
logger = Logger(service="ws-ingress")
BUSY_MESSAGE = "the assistant is busy: send this message again in a moment"


def max_turns_in_flight() -> int:
    return int(os.environ.get("AICC_MAX_TURNS_IN_FLIGHT", DEFAULT_MAX_TURNS_IN_FLIGHT))


def busy_retry_after_s() -> float:
    return float(os.environ.get("AICC_BUSY_RETRY_AFTER_S", DEFAULT_BUSY_RETRY_AFTER_S))


def turn_deadline_s() -> int:
    return int(os.environ.get("AICC_TURN_DEADLINE_S", manifest().turn_deadline_s))


def busy_frame(client_message_id: str | None) -> ErrorFrame:
    """A shed message's answer: nothing was stored; the same frame is welcome again after the pause."""
    return ErrorFrame(
        code="busy", message=BUSY_MESSAGE, client_message_id=client_message_id, retry_after_s=busy_retry_after_s()
    )


@dataclass
class Gate:
    """The ingress's side: admit a message, then hand its turn on with its deadline scheduled."""

    admission: Admission
    bus: Bus
    deadlines: bool = True  # False where no deadline queue is configured: the aggregator schedules them

    def admit(self) -> bool:
        return self.admission.admit(max_turns_in_flight())

    def release(self) -> None:
        self.admission.release()

    def hand_on(self, accepted: Accepted) -> ConversationReceived | None:
        """The ConversationReceived to publish, its deadline already scheduled; None (the turn released)
        when the message goes to no assistant (a retry, a relay to staff)."""
        received = accepted.received
        relay = relay_deadline(accepted) if self.deadlines else None
        if received is None:
            self.release()
            if relay is not None:
                self._schedule_relay(relay)
            return None
        if accepted.outcome == "resumed":
            # A lost turn is still counted from its first acceptance; its reply releases that count.
            self.release()
        if not self.deadlines:
            return received
        deadline = TurnDeadline(
            meta=received.meta.model_copy(update={"producer": "ingress"}),
            deadline_s=turn_deadline_s(),
            received=received,
        )
        try:
            self.bus.schedule_deadlines([deadline, *([relay] if relay else [])], source="aicc.ingress")
        except Exception:  # the turn is stored: it must go on; the aggregator schedules its deadline instead
            Logger(service="ws-ingress").exception(
                "turn deadline not scheduled", extra={"turn_id": received.meta.turn_id}
            )
            return received
        return received.model_copy(update={"deadline_scheduled": True})

    def _schedule_relay(self, relay: TurnDeadline) -> None:
        try:
            self.bus.schedule_deadlines([relay], source="aicc.ingress")
        except Exception:  # the person has the message: only the fallback to the assistant is lost
            logger.exception("relay deadline not scheduled", extra={"turn_id": relay.meta.turn_id})
