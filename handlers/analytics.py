"""Analytics Lambda: every event of the bus -> the turn's event log, and on ReplySent the per-turn
record, the day's counters, CloudWatch EMF metrics and AnalyticsRecorded.

The event log (pk `turn#<id>`, sk `event#<time>#<event id>`) is also what `aicc trace` reads; a
whole batch of events is written with one BatchWriteItem (the mapping waits up to a second to fill
batches). Counting happens once per turn without an idempotency store: only the delivery whose
conditional put creates the turn's summary adds to the day's counters, so a duplicate ReplySent
never counts twice.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from aicc.agents.analytics import TurnRecord, daily_increments, summarize
from aicc.runtime.bus import BusEvent, new_meta
from aicc.runtime.clients import client
from aicc.runtime.consumer import consume
from aicc.runtime.dynamodb import put_all
from aicc.runtime.eventlog import RETENTION_S, log_item, read_turn
from aicc.runtime.tables import table_name
from contracts.common import Route
from contracts.events import AnalyticsRecorded, EventDetail, ReplySent

AGENT = "analytics"
logger = Logger(service=AGENT)
metrics = Metrics(namespace="aicc", service=AGENT)


def log_events(events: list[BusEvent]) -> None:
    """Write the batch's events to their turns' logs (idempotent: the key is the event id)."""
    put_all(table_name("analytics"), [log_item(e) for e in {e.id: e for e in events}.values()])


def _record_turn(record: TurnRecord) -> bool:
    """Store the turn's record and count it, once: False when it was already recorded."""
    dynamodb = client("dynamodb")
    try:
        dynamodb.put_item(
            TableName=table_name("analytics"),
            Item={
                "pk": {"S": f"turn#{record.turn_id}"},
                "sk": {"S": "summary"},
                "record": {"S": json.dumps(record.__dict__)},
                "expires_at": {"N": str(int(time.time()) + RETENTION_S)},
            },
            ConditionExpression="attribute_not_exists(sk)",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    increments = daily_increments(record)
    names = {f"#c{i}": name for i, name in enumerate(increments)}
    values = {f":v{i}": {"N": str(value)} for i, value in enumerate(increments.values())}
    dynamodb.update_item(
        TableName=table_name("analytics"),
        Key={"pk": {"S": f"day#{record.day}"}, "sk": {"S": "totals"}},
        UpdateExpression="ADD " + ", ".join(f"{n} :v{i}" for i, n in enumerate(names)),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
    return True


def _emit_metrics(record: TurnRecord) -> None:
    metrics.add_metric(name="Turns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="DegradedTurns", unit=MetricUnit.Count, value=int(record.degraded))
    metrics.add_metric(name="Escalations", unit=MetricUnit.Count, value=int(record.route_kind == "human"))
    if record.latency_ms is not None:
        metrics.add_metric(name="TurnLatency", unit=MetricUnit.Milliseconds, value=record.latency_ms)
    for agent, latency in record.agent_latency_ms.items():
        metrics.add_metric(name=f"AgentLatency_{agent}", unit=MetricUnit.Milliseconds, value=latency)


def process(event: BusEvent) -> list[EventDetail]:
    if not isinstance(event.detail, ReplySent):
        return []
    record = summarize(event.meta.turn_id, read_turn(event.meta.turn_id))
    if not _record_turn(record):
        return []  # a duplicate delivery: already counted
    _emit_metrics(record)
    route = (
        Route(kind=record.route_kind, queue=record.route_queue, priority=record.route_priority)
        if (record.route_kind)
        else None
    )
    return [
        AnalyticsRecorded(
            meta=new_meta(reacting_to=event, producer=AGENT),
            intent=record.intent,
            sentiment=record.sentiment,
            route=route,
            latency_ms=record.latency_ms,
            agent_latency_ms=record.agent_latency_ms,
            contributors=record.contributors,
            degraded=record.degraded,
        )
    ]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return consume(event, context, agent=AGENT, process=process, logger=logger, prepare=log_events)
    finally:
        if metrics.metric_set:  # most batches carry no ReplySent, hence no metrics to publish
            metrics.flush_metrics()
