"""Holding the reply time under overload (issue 14, defect 9): admission and an on-time deadline.

1. Admission: the ingress counts customer turns in flight (accepted, not yet answered; the
   `Admission` port) and past `AICC_MAX_TURNS_IN_FLIGHT` answers the frame with an error `busy`
   and `retry_after_s` instead of queueing it where every reply would wait. Nothing is stored for a
   shed frame: the client sends the same frame again (same client_message_id) after the pause.
2. Deadline: the ingress schedules each turn's TurnDeadline itself, with the message inside, on the
   aggregator's deadline queue (`AICC_DEADLINE_QUEUE_URL`, a queue of its own: no backlog of results
   waits in front of it). When it is due the aggregator answers from what it holds, degraded, even if
   the message itself is still queued behind a backlog. It is due `deadline_s` after the frame
   arrived: the ingress's own time comes off its delay (SQS delays are whole seconds, so to the
   nearest second). A message relayed to a staff member gets its own deadline there too
   (aicc.agents.relay).
3. The limit follows Little's law: turns in flight = throughput x reply time. The ingress measures
   the stack's throughput (turns released a second, from the count its admits read) and admits
   `throughput x AICC_REPLY_TARGET_S` once replies take longer than that, between a floor and
   `AICC_MAX_TURNS_IN_FLIGHT`. On a machine that sustains less, fewer are let in and the admitted
   ones are answered in about the target, instead of each waiting for the ones ahead of it.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aws_lambda_powertools import Logger

from aicc.agents.ingress import Accepted
from aicc.agents.relay import relay_deadline
from aicc.ports.admission import Admission, Counts
from aicc.ports.bus import Bus
from contracts.events import ConversationReceived, TurnDeadline
from contracts.frames import ErrorFrame
from contracts.manifest import manifest

# The most turns in flight the stack takes before it sheds, whatever its measured throughput (the
# limit itself follows Little's law, LittleLimit). On AWS, size it to the Lambda concurrency the
# account grants the reply path. `aicc bench` measures both figures.
DEFAULT_MAX_TURNS_IN_FLIGHT = 16
DEFAULT_BUSY_RETRY_AFTER_S = 2.0
# Mean reply time the adaptive limit aims at. On a busy machine the slowest twentieth of replies take
# about twice the median: 1.5 s keeps them under the 3 s deadline.
DEFAULT_REPLY_TARGET_S = 1.5
# Below this the limit never goes: a stack recovering from a stall (little throughput measured) still
# takes a few customers' turns and their retries.
MIN_TURNS_IN_FLIGHT = 6
logger = Logger(service="ws-ingress")
BUSY_MESSAGE = "the assistant is busy: send this message again in a moment"


def max_turns_in_flight() -> int:
    return int(os.environ.get("AICC_MAX_TURNS_IN_FLIGHT", DEFAULT_MAX_TURNS_IN_FLIGHT))


def busy_retry_after_s() -> float:
    return float(os.environ.get("AICC_BUSY_RETRY_AFTER_S", DEFAULT_BUSY_RETRY_AFTER_S))


def reply_target_s() -> float:
    return float(os.environ.get("AICC_REPLY_TARGET_S", DEFAULT_REPLY_TARGET_S))


def turn_deadline_s() -> int:
    return int(os.environ.get("AICC_TURN_DEADLINE_S", manifest().turn_deadline_s))


def busy_frame(client_message_id: str | None) -> ErrorFrame:
    """A shed message's answer: nothing was stored; the same frame is welcome again after the pause."""
    return ErrorFrame(
        code="busy", message=BUSY_MESSAGE, client_message_id=client_message_id, retry_after_s=busy_retry_after_s()
    )


def deadline_delay_s(deadline_s: int, elapsed_s: float) -> int:
    """The deadline message's delay: what is left of the turn's deadline after the time the frame has
    already spent (in the ingress), to the nearest whole second (SQS delays are whole seconds)."""
    return max(0, math.floor(deadline_s - elapsed_s + 0.5))


@dataclass
class LittleLimit:
    """Turns in flight to admit, from the stack's measured throughput and reply time (Little's law).

    `observe(now, counts)` takes the counts the last admit read. Over the last `window_s`, the
    release rate is the throughput, and the mean count in flight over the rate the mean reply time. While
    replies take no more than half the target, the limit is the ceiling it is given (a quiet stack
    takes a burst); beyond, the rate times the target, at least `floor`: turns past what the stack
    answers in the target wait for a slot instead of making every reply slower. With less than
    `min_span_s` of observations (a fresh instance) it is the ceiling.
    """

    window_s: float = 10.0
    min_span_s: float = 3.0
    every_s: float = 0.25  # observations closer than this add nothing to the estimate
    floor: int = MIN_TURNS_IN_FLIGHT
    _samples: deque[tuple[float, Counts]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, now: float, counts: Counts) -> None:
        with self._lock:
            if self._samples and counts.released < self._samples[-1][1].released:
                self._samples.clear()  # the count started again: earlier totals say nothing now
            if self._samples and now - self._samples[-1][0] < self.every_s:
                return
            self._samples.append((now, counts))
            while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
                self._samples.popleft()

    def limit(self, target_s: float, ceiling: int) -> int:
        with self._lock:
            samples = list(self._samples)
        if len(samples) < 2 or samples[-1][0] - samples[0][0] < self.min_span_s:
            return ceiling
        per_s = (samples[-1][1].released - samples[0][1].released) / (samples[-1][0] - samples[0][0])
        in_flight = sum(counts.in_flight for _, counts in samples) / len(samples)
        # Replies in half the target (Little: reply = in flight / rate): the stack keeps up. Half, not all:
        # at the limit replies take the target itself, which must not lift the limit again.
        if in_flight <= per_s * target_s / 2:
            return ceiling
        return max(min(self.floor, ceiling), min(ceiling, math.ceil(per_s * target_s)))


@dataclass
class Gate:
    """The ingress's side: admit a message, then hand its turn on with its deadline scheduled."""

    admission: Admission
    bus: Bus
    deadlines: bool = True  # False where no deadline queue is configured: the aggregator schedules them
    clock: Callable[[], float] = time.time
    little: LittleLimit = field(default_factory=LittleLimit)

    def admit(self) -> bool:
        admitted = self.admission.admit(self.limit())
        self.little.observe(self.clock(), self.admission.seen())
        return admitted

    def limit(self) -> int:
        """The turns in flight admitted now: by the measured throughput, at most AICC_MAX_TURNS_IN_FLIGHT."""
        return self.little.limit(reply_target_s(), max_turns_in_flight())

    def release(self) -> None:
        self.admission.release()

    def hand_on(self, accepted: Accepted, arrived_at: float | None = None) -> ConversationReceived | None:
        """The ConversationReceived to publish, its deadline already scheduled; None (the turn released)
        when the message goes to no assistant (a retry, a relay to staff). `arrived_at` (epoch seconds):
        when the frame reached the gateway; the deadline is due `turn_deadline_s` after it."""
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
            deadline_s=deadline_delay_s(turn_deadline_s(), self.clock() - arrived_at if arrived_at else 0.0),
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
