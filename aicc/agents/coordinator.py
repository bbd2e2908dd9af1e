"""The coordinator (the aggregator agent): joins a turn, has it answered once, on time.

1. Completion: it records ConversationReceived and every result the manifest says a reply waits
   for, with one write per turn for the results that arrive in one batch. The write that
   completes the turn (manifest patterns decide what "complete" means) publishes TurnAssembled,
   once.
2. Delivery: response generation answers with ResponseComposed; the coordinator records it and
   claims the turn in one write, hands the conversation to a staff queue when the route says so,
   pushes the reply, records it, and publishes ReplySent.
3. Deadline: each turn's message schedules a delayed TurnDeadline to the coordinator itself. If
   nobody claimed the turn by then, it composes from what is there (marked degraded) with the
   response agent's own logic, routing the turn itself when routing is late, and replies.
4. Replay: a replayed turn joins apart from the original, and its reply goes to the replay
   results, never to a socket or a staff queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from aicc.agents.aggregation import turn_status
from aicc.ports.bus import Bus, BusEvent
from aicc.ports.conversations import Conversations
from aicc.ports.handoff import Handoff
from aicc.ports.pusher import Pusher
from aicc.ports.replays import ReplayResults
from aicc.ports.turns import Recorded, TurnStores
from aicc.runtime.bus import new_meta
from aicc.runtime.joins import BatchJoin
from contracts.events import (
    ConversationReceived,
    EventDetail,
    ReplySent,
    ResponseComposed,
    TurnAssembled,
    TurnDeadline,
    TurnResults,
)
from contracts.frames import ReplyFrame
from contracts.manifest import Manifest

# Composing and routing (the deadline) are imported where they are used: most deliveries take
# neither path, and each cold start would otherwise pay for them.


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Reply:
    """A turn's reply and how it came about."""

    composed: ResponseComposed
    by_deadline: bool = False  # the deadline composed it: the response agent had not answered
    missing: list[str] = field(default_factory=list)  # awaited results that had not arrived


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
    logger: Logger = field(init=False)
    _join: BatchJoin = field(init=False)

    def __post_init__(self) -> None:
        self.logger = Logger(service=self.agent)
        self._join = BatchJoin(self.agent, self.turns)

    # --- the consumer's two steps ------------------------------------------------------------------

    def prepare(self, events: Sequence[BusEvent]) -> None:
        """Before a batch's records are processed: schedule its deadlines in one request, then record
        its results with one write per turn (a turn's results often arrive together)."""
        joining = [e for e in events if not isinstance(e.detail, (ResponseComposed, TurnDeadline))]
        self._schedule_deadlines([e for e in joining if isinstance(e.detail, ConversationReceived)])
        self._join.record_batch(joining)

    def process(self, event: BusEvent) -> list[EventDetail]:
        if isinstance(event.detail, TurnDeadline):
            return self._on_deadline(event)
        if isinstance(event.detail, ResponseComposed):
            return self._on_response(event, event.detail)
        return self._on_result(event)

    # --- completion --------------------------------------------------------------------------------

    def _on_result(self, event: BusEvent) -> list[EventDetail]:
        received = isinstance(event.detail, ConversationReceived)
        if received and not self._join.in_batch(event):
            self._schedule_deadlines([event])  # recorded alone: its batch did not schedule it
        recorded = self._join.recorded(event)
        if received and event.replay:
            self.replays.record_turn(event.replay, event.meta.turn_id)
        if recorded is None or not self._completed_by(recorded):
            return []
        return [
            TurnAssembled(
                meta=new_meta(reacting_to=event, producer=self.agent),
                results=TurnResults.of(recorded.after.results).without("ResponseComposed"),
                missing=[],
                degraded=False,
            )
        ]

    def _completed_by(self, recorded: Recorded) -> bool:
        """Whether this write made the turn complete. Exactly one write per turn does: writes to a turn
        are serialized, and a complete turn stays complete (the first copy of every result stands)."""
        if not turn_status(recorded.after.results, self.manifest).complete:
            return False
        return not turn_status(recorded.before.results, self.manifest).complete

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

    # --- the response, or the deadline -------------------------------------------------------------

    def _on_response(self, event: BusEvent, composed: ResponseComposed) -> list[EventDetail]:
        store = self._join.store(event.replay)
        # Recorded and claimed in one write: the reply's critical path saves a round trip.
        claimed = store.record_and_claim(event.meta.turn_id, event.detail_type, composed.model_dump(mode="json"))
        if claimed is None:
            return []
        return self._deliver(TurnResults.of(claimed.results), event, Reply(composed))

    def _on_deadline(self, event: BusEvent) -> list[EventDetail]:
        store = self._join.store(event.replay)
        state = store.load(event.meta.turn_id)
        if state is None or state.claimed:
            return []
        results = TurnResults.of(state.results)
        reply = self._degraded_reply(results, state.results, event)
        if not store.claim(state.turn_id):
            return []
        return self._deliver(results, event, reply)

    def _degraded_reply(self, results: TurnResults, details: dict[str, Any], event: BusEvent) -> Reply:
        """Nobody answered in time: compose from what arrived, say less, mark it degraded."""
        from aicc.agents.compose import compose
        from aicc.agents.routing import decide

        received = results.conversation_received
        if received is None:
            raise RuntimeError("deadline for a turn whose message was never recorded")
        missing = turn_status(details, self.manifest).missing or ["ResponseComposed"]
        intent, sentiment = results.intent_detected, results.sentiment_analyzed
        if results.route_decided is None and intent is not None and sentiment is not None:
            # Routing is late: its rules are a pure function of what we hold, so route here rather
            # than send a stranded customer to the bot.
            results = results.adding(
                decide(intent, sentiment, new_meta(reacting_to=received.meta, producer=self.agent))
            )
        reply = compose(results, missing=missing, text=received.text)
        reply.degraded = True
        composed = reply.as_event(new_meta(reacting_to=event, producer=self.agent))
        return Reply(composed, by_deadline=True, missing=missing)

    # --- delivery ----------------------------------------------------------------------------------

    def _deliver(self, results: TurnResults, event: BusEvent, reply: Reply) -> list[EventDetail]:
        """Send the claimed turn's reply: to the customer, or to the replay results."""
        received = results.conversation_received
        if received is None:
            raise RuntimeError("a response arrived before its message was recorded; retry")
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
        if composed.route.kind == "human" and composed.route.queue:
            self.handoff.enter_queue(
                received, composed.route, intent=results.intent_detected, profile=results.profile_loaded
            )
        delivered = self.pusher.push(received.connection_id, frame.model_dump_json())
        latency_ms = (self.now() - received.meta.occurred_at).total_seconds() * 1000
        store.mark_delivered(received.meta.turn_id, "delivered" if delivered else "gone")
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
        )
