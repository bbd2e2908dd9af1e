"""Analytics Lambda: every event of the bus -> the turn's event log, and on ReplySent the per-turn
record, the day's counters, CloudWatch EMF metrics and AnalyticsRecorded.

A whole batch of events is logged in one go (the mapping waits up to a second to fill batches).
A turn is counted once: a duplicate ReplySent finds the turn already recorded and counts nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics
from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog
from aicc.agents.analytics import AGENT, analytics_recorded, record_reply
from aicc.ports.analytics import TurnRecord
from aicc.ports.bus import BusEvent
from aicc.runtime.consumer import consume
from contracts.events import EventDetail

logger = Logger(service=AGENT)
metrics = Metrics(namespace="aicc", service=AGENT)
event_log = DynamoDBEventLog()
analytics = DynamoDBAnalytics()


def process(event: BusEvent) -> list[EventDetail]:
    record = record_reply(event, event_log, analytics)
    if record is None:
        return []
    _emit_metrics(record)
    return [analytics_recorded(event, record)]


def _emit_metrics(record: TurnRecord) -> None:
    metrics.add_metric(name="Turns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="DegradedTurns", unit=MetricUnit.Count, value=int(record.degraded))
    metrics.add_metric(name="Escalations", unit=MetricUnit.Count, value=int(record.route_kind == "human"))
    if record.latency_ms is not None:
        metrics.add_metric(name="TurnLatency", unit=MetricUnit.Milliseconds, value=record.latency_ms)
    for agent, latency in record.agent_latency_ms.items():
        metrics.add_metric(name=f"AgentLatency_{agent}", unit=MetricUnit.Milliseconds, value=latency)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return consume(event, context, agent=AGENT, process=process, logger=logger, prepare=event_log.append)
    finally:
        if metrics.metric_set:  # most batches carry no ReplySent, hence no metrics to publish
            metrics.flush_metrics()
