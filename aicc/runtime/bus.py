"""Reading events off a queue and publishing events to the bus: written once for every agent.

`EventBridgeBus` is the `aicc.ports.bus.Bus` on AWS: PutEvents to the bus, and turn deadlines as
delayed messages to the sender's own queue (`AICC_DEADLINE_QUEUE_URL`).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aicc.ports.bus import PUT_EVENTS_MAX_ENTRIES, BusEvent
from aicc.runtime.clients import client, region, warm
from contracts.envelope import BusEnvelope
from contracts.events import EVENT_MODELS, EventDetail, EventMeta, TurnDeadline
from contracts.manifest import manifest

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


class UnknownEventType(ValueError):
    pass


def parse_event(body: str | bytes | dict[str, Any]) -> BusEvent:
    raw = json.loads(body) if isinstance(body, str | bytes) else body
    envelope = BusEnvelope.model_validate(raw)
    model = EVENT_MODELS.get(envelope.detail_type)
    if model is None:
        raise UnknownEventType(envelope.detail_type)
    return BusEvent(
        id=envelope.id,
        source=envelope.source,
        detail_type=envelope.detail_type,
        time=envelope.time,
        detail=model.model_validate(envelope.detail),
        replay_name=envelope.replay_name,
    )


def bus_name() -> str:
    return os.environ.get("AICC_BUS_NAME", manifest().bus_name)


def new_meta(*, reacting_to: BusEvent | EventMeta, producer: str, causation_id: str | None = None) -> EventMeta:
    """Metadata for an event caused by `reacting_to` (same turn, conversation and customer)."""
    meta = reacting_to.meta if isinstance(reacting_to, BusEvent) else reacting_to
    cause = causation_id or (reacting_to.id if isinstance(reacting_to, BusEvent) else meta.causation_id)
    return EventMeta(
        turn_id=meta.turn_id,
        conversation_id=meta.conversation_id,
        customer_id=meta.customer_id,
        causation_id=cause,
        producer=producer,
        occurred_at=datetime.now(UTC),
        flow=meta.flow,
        replay=meta.replay or (reacting_to.replay_name if isinstance(reacting_to, BusEvent) else None),
    )


def put_entry(detail: EventDetail, source: str, trace_header: str | None = None) -> PutEventsRequestEntryTypeDef:
    entry: PutEventsRequestEntryTypeDef = {
        "Source": source,
        "DetailType": type(detail).__name__,
        "Detail": detail.model_dump_json(),
        "EventBusName": bus_name(),
        "Resources": [],
    }
    # X-Ray: carrying the trace of the message that caused this event keeps one turn one trace
    # across EventBridge -> SQS -> Lambda hops.
    trace = trace_header or os.environ.get("_X_AMZN_TRACE_ID")
    if trace:
        entry["TraceHeader"] = trace
    return entry


def publish(
    details: Sequence[EventDetail], *, source: str, trace_headers: Sequence[str | None] | None = None
) -> list[int]:
    """Publish in PutEvents batches; returns the indexes of entries the bus did not accept."""
    failed: list[int] = []
    traces = list(trace_headers) if trace_headers is not None else [None] * len(details)
    for start in range(0, len(details), PUT_EVENTS_MAX_ENTRIES):
        chunk = details[start : start + PUT_EVENTS_MAX_ENTRIES]
        entries = [
            put_entry(d, source, t) for d, t in zip(chunk, traces[start : start + PUT_EVENTS_MAX_ENTRIES], strict=True)
        ]
        response = client("events").put_events(Entries=entries)
        if response.get("FailedEntryCount"):
            for offset, entry in enumerate(response["Entries"]):
                if entry.get("ErrorCode"):
                    failed.append(start + offset)
    return failed


def envelope_for_queue(detail: EventDetail, *, source: str) -> str:
    """An EventBridge-shaped body for a message an agent sends straight to a queue (the deadline)."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": type(detail).__name__,
            "source": source,
            "account": os.environ.get("AWS_ACCOUNT_ID", "000000000000"),
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region(),
            "resources": [],
            "detail": detail.model_dump(mode="json"),
        }
    )


class DeadlinesNotScheduled(RuntimeError):
    pass


class EventBridgeBus:
    """The bus on AWS: EventBridge for events, the sender's SQS queue (delayed) for deadlines."""

    def __init__(self) -> None:
        # Its clients, now: handlers construct the bus at import (aicc.runtime.clients).
        warm("events", *(["sqs"] if os.environ.get("AICC_DEADLINE_QUEUE_URL") else []))

    def publish(
        self, details: Sequence[EventDetail], *, source: str, trace_headers: Sequence[str | None] | None = None
    ) -> list[int]:
        return publish(details, source=source, trace_headers=trace_headers)

    def schedule_deadlines(self, deadlines: Sequence[TurnDeadline], *, source: str) -> None:
        """One SendMessageBatch for a batch's deadlines (SQS takes ten per request, as a batch has)."""
        if not deadlines:
            return
        queue_url = os.environ.get("AICC_DEADLINE_QUEUE_URL")
        if not queue_url:
            from aws_lambda_powertools import Logger

            Logger(service=source.removeprefix("aicc.")).warning(
                "AICC_DEADLINE_QUEUE_URL is not set: these turns have no deadline"
            )
            return
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {
                "Id": str(i),
                "DelaySeconds": deadline.deadline_s,
                "MessageBody": envelope_for_queue(deadline, source=source),
            }
            for i, deadline in enumerate(deadlines)
        ]
        failed = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")
        if failed:
            raise DeadlinesNotScheduled(f"{len(failed)} turn deadlines were not scheduled: {failed[0].get('Message')}")
