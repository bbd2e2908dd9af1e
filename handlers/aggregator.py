"""Aggregator Lambda (the supervisor): joins a turn, has it answered once, on time.

1. Records ConversationReceived and every result the manifest says a reply waits for, with one
   write per turn for the results that arrive in one batch. The write that completes the turn
   (manifest patterns decide what "complete" means) publishes TurnAssembled, once.
2. Response generation answers with ResponseComposed; the aggregator claims the turn, pushes the
   reply with `post_to_connection`, records it, hands the conversation to a staff queue when the
   route says so, and publishes ReplySent.
3. Its own delayed TurnDeadline: if nobody replied by then, it composes from what is there
   (marked degraded) with the response agent's own logic and replies.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from aicc.agents.aggregation import turn_status
from aicc.runtime.bus import BusEvent, envelope_for_queue, new_meta
from aicc.runtime.clients import client
from aicc.runtime.consumer import consume
from aicc.runtime.conversations import record_reply
from aicc.runtime.push import push
from aicc.runtime.turnstore import BatchJoin, Recorded, TurnState, TurnStore
from contracts.events import (
    ConversationReceived,
    EventDetail,
    IntentDetected,
    ProfileLoaded,
    ReplySent,
    ResponseComposed,
    SentimentAnalyzed,
    TurnAssembled,
    TurnDeadline,
)
from contracts.frames import ReplyFrame
from contracts.manifest import manifest

# Composing (the deadline), routing (a late RouteDecided), the staff queue (a human route) and
# replay bookkeeping are imported where they are used: most deliveries take none of those paths,
# and each cold start would otherwise pay for them (about 25 ms of the handler's import).

AGENT = "aggregator"
logger = Logger(service=AGENT)


_join = BatchJoin(AGENT)


def process(event: BusEvent) -> list[EventDetail]:
    turn_id = event.meta.turn_id
    store = TurnStore.of(AGENT, event.replay)
    if isinstance(event.detail, TurnDeadline):
        state = store.load(turn_id)
        if state is None or state.claimed:
            return []
        return _deadline_reply(state, event)
    if isinstance(event.detail, ResponseComposed):
        # Recorded and claimed in one write: the reply's critical path saves a round trip.
        claimed = store.record_and_claim(turn_id, event.detail_type, event.detail.model_dump(mode="json"))
        return [] if claimed is None else _deliver(claimed, event, event.detail, deadline_fired=False, claimed=True)
    if isinstance(event.detail, ConversationReceived) and not _join.in_batch(event):
        _schedule_deadlines([event])  # recorded alone: its batch did not schedule it
    recorded = _join.recorded(event)
    if isinstance(event.detail, ConversationReceived) and event.replay:
        from aicc.runtime.replay import record_replayed_turn

        record_replayed_turn(event.replay, turn_id)
    if recorded is None or not _completed_by(recorded):
        return []
    return [
        TurnAssembled(
            meta=new_meta(reacting_to=event, producer=AGENT),
            results={k: v for k, v in recorded.after.results.items() if k != "ResponseComposed"},
            missing=[],
            degraded=False,
        )
    ]


def _completed_by(recorded: Recorded) -> bool:
    """Whether this write made the turn complete. Exactly one write per turn does: writes to a turn are
    serialized, and a complete turn stays complete (the first copy of every result stands)."""
    if not turn_status(recorded.after.results, manifest()).complete:
        return False
    return not turn_status(recorded.before.results, manifest()).complete


def record_batch(events: list[BusEvent]) -> None:
    """Before the records are processed: schedule the batch's deadlines in one request, then record its
    results with one write per turn (a turn's results often arrive together)."""
    joining = [e for e in events if not isinstance(e.detail, (ResponseComposed, TurnDeadline))]
    _schedule_deadlines([e for e in joining if isinstance(e.detail, ConversationReceived)])
    _join.record_batch(joining)


def _schedule_deadlines(received: list[BusEvent]) -> None:
    """A delayed TurnDeadline to ourselves per turn: one request for all the turns of a batch."""
    if not received:
        return
    queue_url = os.environ.get("AICC_DEADLINE_QUEUE_URL")
    if not queue_url:
        logger.warning("AICC_DEADLINE_QUEUE_URL is not set: these turns have no deadline")
        return
    # Operators may tighten or relax the deadline per deployment without touching the manifest.
    seconds = int(os.environ.get("AICC_TURN_DEADLINE_S", manifest().turn_deadline_s))
    entries = [
        {
            "Id": str(i),
            "DelaySeconds": seconds,
            "MessageBody": envelope_for_queue(
                TurnDeadline(meta=new_meta(reacting_to=event, producer=AGENT), deadline_s=seconds),
                source=f"aicc.{AGENT}",
            ),
        }
        for i, event in enumerate(received)
    ]
    failed = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")
    if failed:
        raise RuntimeError(f"{len(failed)} turn deadlines were not scheduled: {failed[0].get('Message')}")


def _deadline_reply(state: TurnState, event: BusEvent) -> list[EventDetail]:
    """Nobody answered in time: compose from what arrived, say less, mark it degraded."""
    from aicc.agents.compose import compose
    from aicc.agents.routing import decide

    results = dict(state.results)
    if "ConversationReceived" not in results:
        raise RuntimeError("deadline for a turn whose message was never recorded")
    status = turn_status(results, manifest())
    received = ConversationReceived.model_validate(results["ConversationReceived"])
    if "RouteDecided" not in results and {"IntentDetected", "SentimentAnalyzed"} <= results.keys():
        # Routing is late: its rules are a pure function of what we hold, so route here rather
        # than send a stranded customer to the bot.
        results["RouteDecided"] = decide(
            IntentDetected.model_validate(results["IntentDetected"]),
            SentimentAnalyzed.model_validate(results["SentimentAnalyzed"]),
            new_meta(reacting_to=received.meta, producer=AGENT),
        ).model_dump(mode="json")
    missing = status.missing or ["ResponseComposed"]
    reply = compose(results, missing=missing, text=received.text)
    reply.degraded = True
    composed = reply.as_event(new_meta(reacting_to=event, producer=AGENT))
    return _deliver(state, event, composed, deadline_fired=True, missing=missing)


def _deliver(
    state: TurnState,
    event: BusEvent,
    composed: ResponseComposed,
    *,
    deadline_fired: bool,
    missing: list[str] | None = None,
    claimed: bool = False,
) -> list[EventDetail]:
    if "ConversationReceived" not in state.results:
        raise RuntimeError("a response arrived before its message was recorded; retry")
    store = TurnStore.of(AGENT, event.replay)
    if not claimed and not store.claim(state.turn_id):
        return []
    received = ConversationReceived.model_validate(state.results["ConversationReceived"])
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
    if event.replay:
        intent_of_replay = (state.results.get("IntentDetected") or {}).get("intent")
        return _record_replayed(
            event, received, frame, composed, intent=intent_of_replay, deadline_fired=deadline_fired, missing=missing
        )
    # Queue first: by the time the customer reads "passed to our team", staff can see it.
    if composed.route.kind == "human" and composed.route.queue:
        from aicc.runtime.handoff import enter_queue

        profile = state.results.get("ProfileLoaded")
        enter_queue(
            received,
            composed.route,
            intent=IntentDetected.model_validate(state.results["IntentDetected"])
            if "IntentDetected" in state.results
            else None,
            profile=ProfileLoaded.model_validate(profile) if profile else None,
        )
    delivered = push(received.connection_id, frame.model_dump_json())
    latency_ms = (datetime.now(UTC) - received.meta.occurred_at).total_seconds() * 1000
    store.mark_delivered(state.turn_id, "delivered" if delivered else "gone")
    intent = state.results.get("IntentDetected", {}).get("intent")
    record_reply(
        received.meta.conversation_id,
        received.meta.turn_id,
        reply=composed.text,
        intent=intent,
        degraded=composed.degraded,
    )
    logger.info(
        "reply sent",
        extra={
            "turn_id": state.turn_id,
            "delivered": delivered,
            "degraded": composed.degraded,
            "deadline_fired": deadline_fired,
            "latency_ms": round(latency_ms, 1),
        },
    )
    return [
        _reply_sent(
            event, composed, delivered=delivered, deadline_fired=deadline_fired, missing=missing, latency_ms=latency_ms
        )
    ]


def _record_replayed(
    event: BusEvent,
    received: ConversationReceived,
    frame: ReplyFrame,
    composed: ResponseComposed,
    *,
    intent: str | None,
    deadline_fired: bool,
    missing: list[str] | None,
) -> list[EventDetail]:
    """A replayed turn's reply goes to the replay-results store, never to a socket or a queue."""
    from aicc.runtime.replay import record_replayed_reply

    replay = event.replay or ""
    record_replayed_reply(
        replay,
        received.meta.turn_id,
        {**frame.model_dump(mode="json"), "intent": intent, "deadline_fired": deadline_fired},
    )
    TurnStore.of(AGENT, replay).mark_delivered(received.meta.turn_id, "replayed")
    logger.info("replayed turn recorded", extra={"turn_id": received.meta.turn_id, "replay": replay})
    return [
        _reply_sent(event, composed, delivered=False, deadline_fired=deadline_fired, missing=missing, latency_ms=0.0)
    ]


def _reply_sent(
    event: BusEvent,
    composed: ResponseComposed,
    *,
    delivered: bool,
    deadline_fired: bool,
    missing: list[str] | None,
    latency_ms: float,
) -> ReplySent:
    return ReplySent(
        meta=new_meta(reacting_to=event, producer=AGENT),
        text=composed.text,
        route=composed.route,
        quick_actions=composed.quick_actions,
        suggestions=composed.suggestions,
        sources=composed.sources,
        degraded=composed.degraded,
        missing=missing or [],
        contributors=composed.contributors,
        delivered=delivered,
        deadline_fired=deadline_fired,
        latency_ms=max(0.0, latency_ms),
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, agent=AGENT, process=process, logger=logger, prepare=record_batch)
