"""The coordinator (the aggregator agent): joins a turn, has it answered once, on time.

1. Completion: it records ConversationReceived and every result the manifest says a reply waits
   for, with one write per turn for the results that arrive in one batch. Every agent the reply
   waits for reacts to the message itself, so a turn completes two bus hops after the message.
2. Reply: the write that completes the turn claims it; the coordinator assembles the results, has
   them routed and composed by routing's and response generation's own logic (pure functions of the
   assembled turn), hands the conversation to a staff queue when the route says so, saves the
   conversation's dialog state (aicc.agents.dialog), pushes the reply, records it, and publishes
   TurnAssembled (from which routing and response generation publish their decisions of record)
   and ReplySent.
3. Deadline: each turn has a delayed TurnDeadline, on the coordinator's deadline queue (no
   backlog of results waits in front of it). The ingress schedules it with the message inside
   (aicc.agents.overload), so it comes on time even while the message itself still waits in a
   backlogged queue; otherwise (a replay) the coordinator schedules it when the message arrives.
   If nobody claimed the turn by then, it replies from what is there, marked degraded.
   Every reply sent to a customer releases the turn's admission (aicc.ports.admission).
   A relay's deadline (`relayed_to`: a message a staff member received) hands the message to the
   agents when the person has not answered it (aicc.agents.relay); the assistant then answers it
   as any turn, counted in flight like one.
4. Follow-up: an eligible OfferGenerated (marketing reacts to the routing decision, after the
   reply) goes to the customer as an offer frame, at most once per turn.
5. Replay: a replayed turn joins apart from the original, and its reply goes to the replay
   results, never to a socket or a staff queue.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from aicc.agents.aggregation import turn_status
from aicc.agents.compose import answer
from aicc.agents.dialog import advance
from aicc.agents.relay import SilentOwner
from aicc.agents.staffdesk import QueuePush
from aicc.ports.admission import Admission
from aicc.ports.bus import Bus, BusEvent
from aicc.ports.conversations import Conversations
from aicc.ports.handoff import Handoff
from aicc.ports.pusher import Pusher
from aicc.ports.replays import ReplayResults
from aicc.ports.turns import TurnStores
from aicc.runtime.bus import new_meta
from aicc.runtime.joins import BatchJoin
from contracts.events import (
    ConversationReceived,
    EventDetail,
    OfferGenerated,
    ReplySent,
    ResponseComposed,
    TurnAssembled,
    TurnDeadline,
    TurnResults,
)
from contracts.frames import OfferFrame, ReplyFrame
from contracts.manifest import Manifest


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Reply:
    """A turn's reply and how it came about."""

    composed: ResponseComposed
    by_deadline: bool = False  # the deadline, not completion, had it sent
    missing: list[str] = field(default_factory=list)  # awaited results that had not arrived
    booked: str | None = None  # the kind of appointment the turn made ("service", "test_drive"), if any


@dataclass
class Coordinator:
    turns: TurnStores
    bus: Bus
    conversations: Conversations
    handoff: Handoff
    pusher: Pusher
    replays: ReplayResults
    manifest: Manifest
    # Read for each batch: operators may tighten or relax the deadline without touching the manifest.
    deadline_s: Callable[[], int]
    now: Callable[[], datetime] = _utc_now
    agent: str = "aggregator"
    admission: Admission | None = None  # released for every reply sent to a customer
    queue_push: QueuePush | None = None  # tells connected staff their queue changed
    logger: Logger = field(init=False)
    _join: BatchJoin = field(init=False)

    def __post_init__(self) -> None:
        self.logger = Logger(service=self.agent)
        self._join = BatchJoin(self.agent, self.turns)

    # --- the consumer's two steps ------------------------------------------------------------------

    def prepare(self, events: Sequence[BusEvent]) -> None:
        """Before a batch's records are processed: schedule its deadlines in one request, then record
        its results with one write per turn (a turn's results often arrive together)."""
        joining = [e for e in events if not isinstance(e.detail, TurnDeadline)]
        self._schedule_deadlines([e for e in joining if _needs_deadline(e)])
        self._join.record_batch(joining)

    def process(self, event: BusEvent) -> list[EventDetail]:
        if isinstance(event.detail, TurnDeadline):
            if event.detail.relayed_to is not None:
                return self._on_relay_deadline(event, event.detail)
            return self._on_deadline(event)
        if isinstance(event.detail, OfferGenerated):
            return self._on_offer(event, event.detail)
        return self._on_result(event)

    # --- completion --------------------------------------------------------------------------------

    def _on_result(self, event: BusEvent) -> list[EventDetail]:
        received = isinstance(event.detail, ConversationReceived)
        if received and not self._join.in_batch(event) and _needs_deadline(event):
            self._schedule_deadlines([event])  # recorded alone: its batch did not schedule it
        recorded = self._join.recorded(event)
        if received and event.replay:
            self.replays.record_turn(event.replay, event.meta.turn_id)
        if recorded is None or recorded.after.delivered:
            return []
        if not turn_status(recorded.after.results, self.manifest).complete:
            return []
        # Usually the write that completed the turn; also a retry after a claimant crashed (its
        # lease ran out), which is why completion is not enough and the claim decides.
        if not self._join.store(event.replay).claim(event.meta.turn_id):
            return []
        return self._reply(TurnResults.of(recorded.after.results), event, missing=[])

    def _schedule_deadlines(self, received: list[BusEvent]) -> None:
        """A delayed TurnDeadline to ourselves per turn: one request for all the turns of a batch."""
        if not received:
            return
        seconds = self.deadline_s()
        deadlines = [
            TurnDeadline(meta=new_meta(reacting_to=event, producer=self.agent), deadline_s=seconds)
            for event in received
        ]
        self.bus.schedule_deadlines(deadlines, source=f"aicc.{self.agent}")

    def _on_deadline(self, event: BusEvent) -> list[EventDetail]:
        store = self._join.store(event.replay)
        state = store.load(event.meta.turn_id)
        if state is not None and state.claimed:
            return []
        if state is None or "ConversationReceived" not in state.results:
            carried = event.detail.received if isinstance(event.detail, TurnDeadline) else None
            if carried is None and state is None:
                return []  # nothing of this turn here, nor in the deadline
            if carried is None:
                raise RuntimeError("deadline for a turn whose message was never recorded; retry")
            # The message still waits behind a backlog: answer on time from the copy the deadline carries.
            copy = {"ConversationReceived": carried.model_dump(mode="json")}
            state = store.record_all(event.meta.turn_id, copy).after
            if state.claimed:
                return []
        missing = turn_status(state.results, self.manifest).missing
        if not store.claim(state.turn_id):
            return []
        return self._reply(TurnResults.of(state.results), event, missing=missing, by_deadline=True)

    def _on_relay_deadline(self, event: BusEvent, deadline: TurnDeadline) -> list[EventDetail]:
        """The message for the agents when its staff member has not answered it (aicc.agents.relay)."""
        received = SilentOwner(self.handoff, self.pusher, self.queue_push).overdue(deadline)
        if received is None or event.replay:
            return []
        state = self._join.store(None).load(received.meta.turn_id)
        if state is not None and "ConversationReceived" in state.results:
            return []  # handed on by an earlier delivery, or answered at once (safety-critical)
        if self.admission is not None:
            self.admission.admit(sys.maxsize)  # a turn in flight, past any limit: its reply releases it
        return [received]

    # --- the reply ---------------------------------------------------------------------------------

    def _reply(
        self, results: TurnResults, event: BusEvent, *, missing: list[str], by_deadline: bool = False
    ) -> list[EventDetail]:
        """Route, compose and deliver a claimed turn (a deadline with nothing missing is a turn
        whose completing write crashed before its claim: answered in full, not degraded)."""
        assembled = TurnAssembled(
            meta=new_meta(reacting_to=event, producer=self.agent),
            results=results.without("OfferGenerated", "RouteDecided", "ResponseComposed"),
            missing=missing,
            degraded=bool(missing),
        )
        composed = answer(assembled, new_meta(reacting_to=event, producer=self.agent))
        action = results.service_action_taken
        booked = action.kind if action is not None and action.action == "booked" else None
        reply = Reply(composed, by_deadline=by_deadline, missing=missing, booked=booked)
        sent = self._deliver(assembled.results, event, reply)
        return [assembled, *sent]

    # --- the follow-up -----------------------------------------------------------------------------

    def _on_offer(self, event: BusEvent, generated: OfferGenerated) -> list[EventDetail]:
        """Push an offer after its turn's reply. Recorded before it is pushed, so a redelivery never
        offers twice; a crash in between loses the offer, which is the right way round for marketing."""
        recorded = self._join.recorded(event)
        if recorded is None or "OfferGenerated" in recorded.before.results or event.replay:
            return []
        received = TurnResults.of(recorded.after.results).conversation_received
        offer = generated.offer
        if offer is None or not generated.eligible or received is None:
            return []
        frame = OfferFrame(
            conversation_id=received.meta.conversation_id,
            turn_id=received.meta.turn_id,
            sources=generated.sources,
            **offer.model_dump(),  # the frame carries the offer's own fields
        )
        delivered = self.pusher.push(received.connection_id, frame.model_dump_json())
        self.logger.info("offer sent", extra={"turn_id": received.meta.turn_id, "delivered": delivered})
        return []

    # --- delivery ----------------------------------------------------------------------------------

    def _deliver(self, results: TurnResults, event: BusEvent, reply: Reply) -> list[EventDetail]:
        """Send the claimed turn's reply: to the customer, or to the replay results."""
        received = results.conversation_received
        if received is None:
            raise RuntimeError("a turn was claimed before its message was recorded; retry")
        composed = reply.composed
        frame = ReplyFrame(
            conversation_id=received.meta.conversation_id,
            turn_id=received.meta.turn_id,
            client_message_id=received.client_message_id,
            text=composed.text,
            quick_actions=composed.quick_actions,
            suggestions=composed.suggestions,
            route=composed.route,
            degraded=composed.degraded,
            sources=composed.sources,
        )
        intent = results.intent_detected.intent if results.intent_detected else None
        store = self._join.store(event.replay)
        if event.replay:
            self.replays.record_reply(
                event.replay,
                received.meta.turn_id,
                {**frame.model_dump(mode="json"), "intent": intent, "deadline_fired": reply.by_deadline},
            )
            store.mark_delivered(received.meta.turn_id, "replayed")
            self.logger.info("replayed turn recorded", extra={"turn_id": received.meta.turn_id, "replay": event.replay})
            return [self._reply_sent(event, reply, delivered=False, latency_ms=0.0)]
        # Queue first: by the time the customer reads "passed to our team", staff can see it.
        queued = None
        if composed.route.kind == "human" and composed.route.queue:
            queued = self.handoff.enter_queue(
                received, composed.route, intent=results.intent_detected, profile=results.profile_loaded
            )
        # Saved before the push: the customer's next message starts from this turn's dialog state.
        dialog = advance(received.dialog, results, composed)
        self.conversations.save_dialog(received.meta.conversation_id, dialog.model_dump(mode="json"))
        delivered = self._push_reply(received, frame)
        if queued and self.queue_push is not None:
            # After the customer's reply, which must not wait for the staff's consoles.
            self.queue_push.changed_conversation(received.meta.conversation_id)
        latency_ms = (self.now() - received.meta.occurred_at).total_seconds() * 1000
        store.mark_delivered(received.meta.turn_id, "delivered" if delivered else "gone")
        if self.admission is not None:
            self.admission.release()
        self.conversations.record_reply(
            received.meta.conversation_id,
            received.meta.turn_id,
            reply=composed.text,
            intent=intent,
            degraded=composed.degraded,
        )
        self.logger.info(
            "reply sent",
            extra={
                "turn_id": received.meta.turn_id,
                "delivered": delivered,
                "degraded": composed.degraded,
                "deadline_fired": reply.by_deadline,
                "latency_ms": round(latency_ms, 1),
            },
        )
        return [self._reply_sent(event, reply, delivered=delivered, latency_ms=latency_ms)]

    def _push_reply(self, received: ConversationReceived, frame: ReplyFrame) -> bool:
        """To the socket the message came on; when that one is gone (a reconnect, a restart: the
        client retries the message on its new socket), to the sender's open sockets."""
        data = frame.model_dump_json()
        return (
            self.pusher.push(received.connection_id, data)
            or self.pusher.push_to_user(received.meta.customer_id, data) > 0
        )

    def _reply_sent(self, event: BusEvent, reply: Reply, *, delivered: bool, latency_ms: float) -> ReplySent:
        composed = reply.composed
        return ReplySent(
            meta=new_meta(reacting_to=event, producer=self.agent),
            text=composed.text,
            route=composed.route,
            quick_actions=composed.quick_actions,
            suggestions=composed.suggestions,
            sources=composed.sources,
            degraded=composed.degraded,
            missing=reply.missing,
            contributors=composed.contributors,
            delivered=delivered,
            deadline_fired=reply.by_deadline,
            latency_ms=max(0.0, latency_ms),
            booked=reply.booked,
        )


def _needs_deadline(event: BusEvent) -> bool:
    """A message whose deadline the ingress did not schedule (a replay, or the ingress could not)."""
    return isinstance(event.detail, ConversationReceived) and not event.detail.deadline_scheduled
