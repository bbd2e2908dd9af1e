"""Aggregator Lambda: joins a turn's results, replies once, on time, over the customer's socket.

Consumes ConversationReceived and every result the manifest says a reply waits for, plus its own
delayed TurnDeadline. Whichever delivery completes the turn (or the deadline, with what is there,
marked degraded) claims it, composes, pushes with `post_to_connection` and publishes ReplySent.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from aicc.agents.aggregation import turn_status
from aicc.agents.compose import compose
from aicc.agents.routing import decide
from aicc.runtime.bus import BusEvent, envelope_for_queue, new_meta
from aicc.runtime.clients import client
from aicc.runtime.consumer import consume
from aicc.runtime.conversations import record_reply
from aicc.runtime.tables import table_name
from aicc.runtime.turnstore import TurnState, TurnStore
from contracts.common import Route
from contracts.events import (
    ConversationReceived,
    EventDetail,
    IntentDetected,
    ReplySent,
    SentimentAnalyzed,
    TurnDeadline,
)
from contracts.frames import ReplyFrame
from contracts.manifest import manifest

AGENT = "aggregator"
logger = Logger(service=AGENT)
store = TurnStore(scope=AGENT)


def process(event: BusEvent) -> list[EventDetail]:
    turn_id = event.meta.turn_id
    if isinstance(event.detail, TurnDeadline):
        state = store.load(turn_id)
        if state is None or state.delivered:
            return []
        return _reply(state, event, deadline_fired=True)
    state = store.record(turn_id, event.detail_type, event.detail.model_dump(mode="json"))
    if isinstance(event.detail, ConversationReceived):
        _schedule_deadline(event)
    if state.delivered or not turn_status(state.results, manifest()).complete:
        return []
    return _reply(state, event, deadline_fired=False)


def _schedule_deadline(event: BusEvent) -> None:
    queue_url = os.environ.get("AICC_DEADLINE_QUEUE_URL")
    if not queue_url:
        logger.warning("AICC_DEADLINE_QUEUE_URL is not set: this turn has no deadline")
        return
    # Operators may tighten or relax the deadline per deployment without touching the manifest.
    seconds = int(os.environ.get("AICC_TURN_DEADLINE_S", manifest().turn_deadline_s))
    deadline = TurnDeadline(meta=new_meta(reacting_to=event, producer=AGENT), deadline_s=seconds)
    client("sqs").send_message(
        QueueUrl=queue_url, DelaySeconds=seconds, MessageBody=envelope_for_queue(deadline, source=f"aicc.{AGENT}")
    )


def _reply(state: TurnState, event: BusEvent, *, deadline_fired: bool) -> list[EventDetail]:
    status = turn_status(state.results, manifest())
    if not store.claim(state.turn_id):
        return []
    received = ConversationReceived.model_validate(state.results["ConversationReceived"])
    results = dict(state.results)
    if "RouteDecided" not in results and {"IntentDetected", "SentimentAnalyzed"} <= results.keys():
        # Routing is late: its rules are a pure function of what we hold, so route here rather
        # than send a stranded customer to the bot.
        results["RouteDecided"] = decide(
            IntentDetected.model_validate(results["IntentDetected"]),
            SentimentAnalyzed.model_validate(results["SentimentAnalyzed"]),
            new_meta(reacting_to=received.meta, producer=AGENT),
        ).model_dump(mode="json")
    composed = compose(results, missing=status.missing, text=received.text)
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
    delivered = push(received.connection_id, frame.model_dump_json())
    latency_ms = (datetime.now(UTC) - received.meta.occurred_at).total_seconds() * 1000
    store.mark_delivered(state.turn_id, "delivered" if delivered else "gone")
    intent = results.get("IntentDetected", {}).get("intent")
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
            "missing": status.missing,
            "deadline_fired": deadline_fired,
            "latency_ms": round(latency_ms, 1),
        },
    )
    return [
        ReplySent(
            meta=new_meta(reacting_to=event, producer=AGENT),
            text=composed.text,
            route=composed.route if composed.route else Route(),
            quick_actions=composed.quick_actions,
            suggestions=composed.suggestions,
            sources=composed.sources,
            degraded=composed.degraded,
            missing=status.missing,
            contributors=composed.contributors,
            delivered=delivered,
            latency_ms=max(0.0, latency_ms),
        )
    ]


def push(connection_id: str, data: str) -> bool:
    """Send one frame over the customer's socket; False when the connection is gone (410)."""
    management = client("apigatewaymanagementapi", endpoint_url=os.environ["AICC_CALLBACK_URL"])
    try:
        management.post_to_connection(ConnectionId=connection_id, Data=data.encode())
    except management.exceptions.GoneException:
        client("dynamodb").delete_item(TableName=table_name("connections"), Key={"connection_id": {"S": connection_id}})
        return False
    return True


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, agent=AGENT, process=process, logger=logger)
