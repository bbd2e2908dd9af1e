"""The SQS consumer every agent Lambda shares.

Each record's body is a full EventBridge event. Records go through powertools' BatchProcessor so a
failing record is reported in `batchItemFailures` (and retried, then dead-lettered) while the
rest of the batch succeeds; when every record fails the whole invocation fails, like Lambda's own
event-source mapping expects. Results of the whole batch are published together, in PutEvents
batches of ten; a record whose results the bus refused is reported as failed too.

Pure agents are idempotent by construction: they are functions of the event (and of reference
data), so a duplicate delivery republishes the same result, which consumers record with
`if_not_exists` and never act on twice. Agents with side effects (a booking, an offer, a counter)
are declared `side_effects` in the manifest and run through powertools Idempotency keyed on the
event id: a duplicate delivery gets the stored results of the first run, and repeats nothing.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from aicc.ports.bus import Bus, BusEvent
from aicc.ports.turns import Recorded
from aicc.runtime.bus import EventBridgeBus, new_meta, parse_event
from aicc.runtime.joins import BatchJoin
from contracts.events import EVENT_MODELS, ConversationReceived, EventDetail, EventMeta
from contracts.manifest import manifest

# Built at import, like everything a handler needs on every invocation: the init phase pays for it.
_EVENTBRIDGE = EventBridgeBus()
Process = Callable[[BusEvent], Sequence[EventDetail]]
Prepare = Callable[[list[BusEvent]], None]
# A pure first look at an event: its results when the agent has nothing to do (no side effect, so
# no idempotency record), None when the agent must process it.
Screen = Callable[[BusEvent], Sequence[EventDetail] | None]


def consume(
    event: dict[str, Any],
    context: Any,
    *,
    agent: str,
    process: Process,
    logger: Logger,
    prepare: Prepare | None = None,
    screen: Screen | None = None,
    bus: Bus | None = None,
) -> dict[str, Any]:
    """Process an SQS batch of bus events; `prepare` first sees every parseable event of the batch
    (for agents that write a whole batch at once), `screen` each event before `process`. Results go
    to `bus` (EventBridge by default)."""
    started = time.perf_counter()
    spec = manifest().agent(agent)
    source = spec.source
    outputs: dict[str, Sequence[EventDetail]] = {}
    traces: dict[str, str | None] = {}
    once = spec.side_effects and spec.dedupe == "idempotency_store"
    run = _run_once(agent, process, context) if once else process
    records = event.get("Records", [])
    parsed: dict[str, BusEvent] = {}
    if prepare is not None:
        for record in records:
            try:
                parsed[record["messageId"]] = parse_event(record["body"])
            except ValueError:
                continue  # reported as this record's failure below
        prepare([e for e in parsed.values() if not e.replay or _takes_part(agent, e)])

    def record_handler(record: SQSRecord) -> None:
        bus_event = parsed.get(record.message_id) or parse_event(record.body)
        logger.append_keys(turn_id=bus_event.meta.turn_id, detail_type=bus_event.detail_type)
        if bus_event.replay and not _takes_part(agent, bus_event):
            return
        screened = screen(bus_event) if screen is not None else None
        outputs[record.message_id] = run(bus_event) if screened is None else screened
        traces[record.message_id] = record.attributes.aws_trace_header

    processor = BatchProcessor(event_type=EventType.SQS)
    # Raises BatchProcessingError when every record failed: the whole batch goes back to the queue.
    try:
        with processor(records=records, handler=record_handler, lambda_context=context):
            processor.process()
    finally:
        for exc_type, exc, _tb in processor.exceptions:
            logger.error("record failed", exc_info=(exc_type, exc, _tb))  # type: ignore[arg-type]
    response: dict[str, Any] = dict(processor.response())
    failures = list(response.get("batchItemFailures", []))

    flat: list[EventDetail] = []
    owners: list[str] = []
    for message_id, details in outputs.items():
        flat.extend(details)
        owners.extend([message_id] * len(details))
    if flat:
        trace_headers = [traces.get(owner) for owner in owners]
        refused = {owners[i] for i in (bus or _EVENTBRIDGE).publish(flat, source=source, trace_headers=trace_headers)}
        failures.extend({"itemIdentifier": message_id} for message_id in sorted(refused))
        if len({f["itemIdentifier"] for f in failures}) == len(records):
            raise RuntimeError(f"the bus refused the results of all {len(records)} records")

    logger.remove_keys(["turn_id", "detail_type"])
    logger.info(
        "batch processed",
        extra={
            "records": len(records),
            "failed": len(failures),
            "published": len(flat),
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return {"batchItemFailures": failures}


def _takes_part(agent: str, event: BusEvent) -> bool:
    """Whether this agent acts on this event of a replay (see aicc.runtime.replay)."""
    from aicc.runtime.replay import live_agents

    live = live_agents(event.replay or "")
    if agent not in live:
        return False
    producer = event.source.removeprefix("aicc.")
    return not (event.archived_copy and producer in live)


_current_event: contextvars.ContextVar[BusEvent] = contextvars.ContextVar("aicc_current_event")


def _import_for(agent: str) -> None:
    """At a handler's import: the modules its consume will use (powertools Idempotency for agents
    with side effects). The runner itself is built on the first batch: it binds the table name."""
    spec = manifest().agent(agent)
    if spec.side_effects and spec.dedupe == "idempotency_store":
        import aws_lambda_powertools.utilities.idempotency  # noqa: F401


@cache
def _idempotent_runner(agent: str, process: Process, dynamodb: Any) -> Any:
    """powertools' idempotent function for this agent, built once per container and DynamoDB client
    (it holds the client: a process that resets its clients, as the embedded stack does between
    stacks, gets a runner on the new one)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from aicc.runtime.tables import table_name

    store = DynamoDBPersistenceLayer(table_name=table_name("idempotency"), boto3_client=dynamodb)
    config = IdempotencyConfig(event_key_jmespath="event_id", expires_after_seconds=24 * 3600)

    @idempotent_function(data_keyword_argument="key", persistence_store=store, config=config, key_prefix=agent)
    def once(key: dict[str, str]) -> list[dict[str, Any]]:
        return [{"type": type(d).__name__, "detail": d.model_dump(mode="json")} for d in process(_current_event.get())]

    return once, config


def _run_once(agent: str, process: Process, context: Any) -> Process:
    from aicc.runtime.clients import client

    def run(event: BusEvent) -> Sequence[EventDetail]:
        once, config = _idempotent_runner(agent, process, client("dynamodb"))
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            config.register_lambda_context(context)
        token = _current_event.set(event)
        try:
            stored = once(key={"event_id": event.id})
        finally:
            _current_event.reset(token)
        return [EVENT_MODELS[item["type"]].model_validate(item["detail"]) for item in stored]

    return run


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def joining_agent(agent: str, join: BatchJoin, respond: Callable[[Recorded, EventMeta], EventDetail | None]) -> Handler:
    """The Lambda handler of an agent that joins several events of a turn (one write per turn per
    batch) and answers a write with at most one result. Only the write that recorded an event
    speaks for it: a second event of a group recorded together gets nothing."""
    logger = Logger(service=agent)
    _import_for(agent)

    def process(event: BusEvent) -> list[EventDetail]:
        recorded = join.recorded(event)
        if recorded is None:
            return []
        result = respond(recorded, new_meta(reacting_to=event, producer=agent))
        return [] if result is None else [result]

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return consume(event, context, agent=agent, process=process, logger=logger, prepare=join.record_batch)

    return handler


def message_agent(
    agent: str,
    respond: Callable[[ConversationReceived, EventMeta], EventDetail],
    *,
    nothing_to_add: Callable[[ConversationReceived, EventMeta], EventDetail | None] | None = None,
) -> Handler:
    """The Lambda handler of an agent that answers each ConversationReceived with one result.
    `nothing_to_add` answers, purely and before any side effect, the messages the agent ignores."""
    return single_input_agent(agent, ConversationReceived, respond, nothing_to_add=nothing_to_add)


def single_input_agent(
    agent: str,
    consumes: type[Any],
    respond: Callable[[Any, EventMeta], EventDetail | None],
    *,
    nothing_to_add: Callable[[Any, EventMeta], EventDetail | None] | None = None,
) -> Handler:
    """The Lambda handler of an agent that answers each event of one type with at most one result."""
    logger = Logger(service=agent)
    _import_for(agent)

    def detail_of(event: BusEvent) -> Any:
        if not isinstance(event.detail, consumes):
            raise TypeError(f"{agent} does not consume {event.detail_type}")
        return event.detail

    def process(event: BusEvent) -> list[EventDetail]:
        result = respond(detail_of(event), new_meta(reacting_to=event, producer=agent))
        return [] if result is None else [result]

    def screen(event: BusEvent) -> list[EventDetail] | None:
        assert nothing_to_add is not None
        idle = nothing_to_add(detail_of(event), new_meta(reacting_to=event, producer=agent))
        return None if idle is None else [idle]

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return consume(
            event, context, agent=agent, process=process, logger=logger, screen=screen if nothing_to_add else None
        )

    return handler
