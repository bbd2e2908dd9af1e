"""Operator tools over the same AWS APIs on AWS and on the embedded default: archive replays,
replay diffs, per-turn traces (the analytics agent's event log) and the agents' dead-letter queues
(list, and redrive with SQS message-move tasks).

The event log, the replay results and the conversations are ports, given or else the DynamoDB
adapters (`_event_log`, `_replay_results`, `_conversations`: the one place the tools are wired)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aicc.ports.conversations import Conversations
from aicc.ports.eventlog import EventLog
from aicc.ports.replays import ReplayResults
from aicc.runtime.bus import bus_name
from aicc.runtime.clients import client
from aicc.runtime.replay import rule_names_for_agents
from contracts.manifest import manifest

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import DescribeReplayResponseTypeDef, ReplayDestinationTypeDef

FINISHED = {"COMPLETED", "FAILED", "CANCELLED"}
COMPARED = ("text", "intent", "route", "quick_actions", "sources", "degraded")


def _event_log() -> EventLog:
    from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog

    return DynamoDBEventLog()


def _replay_results() -> ReplayResults:
    from aicc.adapters.dynamodb.replays import DynamoDBReplayResults

    return DynamoDBReplayResults()


def _conversations() -> Conversations:
    from aicc.adapters.dynamodb.conversations import DynamoDBConversations

    return DynamoDBConversations()


def archive_name() -> str:
    return os.environ.get("AICC_ARCHIVE_NAME", f"{bus_name()}-archive")


@dataclass
class ReplayOutcome:
    name: str
    state: str
    events: int  # replayed turns whose reply the replay recorded
    turns: int  # replayed turns (messages re-sent)


def start_replay(start: datetime, end: datetime, agents: list[str], name: str | None = None) -> str:
    """StartReplay of the bus archive for [start, end), into the given agents' rules (all if none)."""
    unknown = set(agents) - {a.name for a in manifest().agents}
    if unknown:
        raise ValueError(f"unknown agents: {sorted(unknown)}")
    events = client("events")
    bus = events.describe_event_bus(Name=bus_name())
    archive = events.describe_archive(ArchiveName=archive_name())
    destination: ReplayDestinationTypeDef = {"Arn": bus["Arn"]}
    if agents:
        destination["FilterArns"] = [
            events.describe_rule(Name=rule, EventBusName=bus_name())["Arn"] for rule in rule_names_for_agents(agents)
        ]
    name = name or f"aicc-{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    events.start_replay(
        ReplayName=name,
        Description=f"aicc replay into {', '.join(agents) or 'every rule'}",
        EventSourceArn=archive["ArchiveArn"],
        EventStartTime=start,
        EventEndTime=end,
        Destination=destination,
    )
    return name


def follow_replay(
    name: str,
    *,
    progress: Callable[[float, str], None] | None = None,
    settle_s: float = 2.0,
    timeout_s: float = 300.0,
    results: ReplayResults | None = None,
) -> ReplayOutcome:
    """Wait for DescribeReplay to finish, then for the replayed turns' replies to stop arriving."""
    results = results or _replay_results()
    events = client("events")
    deadline = time.monotonic() + timeout_s
    while True:
        described = events.describe_replay(ReplayName=name)
        state = described["State"]
        if progress:
            progress(_fraction(described), state)
        if state in FINISHED or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # The replay is done when the bus has re-sent everything; the agents answer after that.
    stable_since, last = time.monotonic(), (-1, -1)
    while time.monotonic() < deadline:
        seen, replies = results.turns(name)
        current = (len(seen), len(replies))
        if current != last:
            stable_since, last = time.monotonic(), current
        elif len(replies) >= len(seen) or time.monotonic() - stable_since > settle_s * 3:
            break
        if progress and seen:
            progress(len(replies) / len(seen), "ANSWERING")
        time.sleep(0.2)
    seen, replies = results.turns(name)
    return ReplayOutcome(name=name, state=state, events=len(replies), turns=len(seen))


def _fraction(described: DescribeReplayResponseTypeDef) -> float:
    if described["State"] in FINISHED:
        return 1.0
    start, end, last = (
        described.get("EventStartTime"),
        described.get("EventEndTime"),
        described.get("EventLastReplayedTime"),
    )
    if not (start and end and last):
        return 0.0
    span = (end - start).total_seconds()
    return max(0.0, min(1.0, (last - start).total_seconds() / span)) if span > 0 else 0.0


# --- the analytics event log ----------------------------------------------------------------------


@dataclass
class TracedEvent:
    id: str  # the event's own id: another event's causation_id names it
    source: str
    detail_type: str
    time: str
    causation_id: str
    producer: str
    elapsed_ms: float
    detail: dict[str, Any] = field(repr=False)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "detail_type": self.detail_type,
            "time": self.time,
            "causation_id": self.causation_id,
            "producer": self.producer,
            "elapsed_ms": self.elapsed_ms,
        }


def turn_events(turn_id: str, log: EventLog | None = None) -> list[TracedEvent]:
    events = (log or _event_log()).turn(turn_id)
    if not events:
        return []
    received = [e.occurred_at for e in events if e.detail_type == "ConversationReceived"]
    origin = received[0] if received else events[0].occurred_at
    return [
        TracedEvent(
            id=e.event_id,
            source=e.source,
            detail_type=e.detail_type,
            time=e.occurred_at.isoformat(),
            causation_id=e.causation_id,
            producer=e.producer,
            elapsed_ms=round((e.occurred_at - origin).total_seconds() * 1000, 1),
            detail=e.detail,
        )
        for e in events
    ]


def trace_turn(turn_id: str, log: EventLog | None = None) -> dict[str, Any]:
    events = turn_events(turn_id, log)
    reply = next((e.detail for e in events if e.detail_type == "ReplySent"), None)
    agents: dict[str, float] = {}
    for event in events:
        if event.producer not in ("ingress",) and event.detail_type != "ReplySent":
            agents.setdefault(event.producer, event.elapsed_ms)
    return {
        "turn_id": turn_id,
        "events": [e.public() for e in events],
        "agent_latency_ms": agents,
        "deadline_fired": bool(reply and reply.get("deadline_fired")),
        "degraded": bool(reply and reply.get("degraded")),
        "missing": list(reply.get("missing", [])) if reply else [],
        "latency_ms": reply.get("latency_ms") if reply else None,
    }


def trace(
    identifier: str,
    *,
    log: EventLog | None = None,
    conversations: Conversations | None = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """A turn's trace, or (for a conversation id) the list of its turns' traces."""
    log = log or _event_log()
    single = trace_turn(identifier, log)
    if single["events"]:
        return single
    turns = (conversations or _conversations()).turn_ids(identifier)
    if not turns:
        raise LookupError(f"no turn or conversation {identifier!r} in the event log")
    return [trace_turn(t, log) for t in turns]


# --- replay diff -----------------------------------------------------------------------------


def original_reply(turn_id: str, log: EventLog | None = None) -> dict[str, Any] | None:
    events = turn_events(turn_id, log)
    reply = next((e.detail for e in events if e.detail_type == "ReplySent"), None)
    if reply is None:
        return None
    intent = next((e.detail.get("intent") for e in events if e.detail_type == "IntentDetected"), None)
    return {**reply, "intent": intent}


def _comparable(reply: dict[str, Any]) -> dict[str, Any]:
    return {key: reply.get(key) for key in COMPARED}


def replay_diff(name: str, *, log: EventLog | None = None, results: ReplayResults | None = None) -> dict[str, Any]:
    log = log or _event_log()
    seen, replies = (results or _replay_results()).turns(name)
    turns: list[dict[str, Any]] = []
    counts = {"same": 0, "changed": 0, "missing": 0}
    for turn_id in sorted(seen | replies.keys()):
        original = original_reply(turn_id, log)
        replayed = replies.get(turn_id)
        if replayed is None or original is None:
            counts["missing"] += 1
            turns.append(
                {
                    "turn_id": turn_id,
                    "status": "missing",
                    "original": original and _comparable(original),
                    "replayed": replayed and _comparable(replayed),
                }
            )
            continue
        before, after = _comparable(original), _comparable(replayed)
        changed = sorted(k for k in COMPARED if before[k] != after[k])
        status = "changed" if changed else "same"
        counts[status] += 1
        turns.append({"turn_id": turn_id, "status": status, "fields": changed, "original": before, "replayed": after})
    return {**counts, "turns": turns}


# --- dead-letter queues ------------------------------------------------------------------------------

SAMPLE_CHARS = 1000  # of a message body shown by `aicc dlq list`
PEEKED = 10  # messages looked at per DLQ (one ReceiveMessage), for the oldest and the sample


def _queue_name(name: str) -> str:
    # Terraform names queues like tables: aicc-<environment>-<name> (AICC_TABLE_PREFIX is that prefix).
    return os.environ.get("AICC_TABLE_PREFIX", "aicc-") + name


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.get_queue_url(QueueName=_queue_name(name))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _agents(agents: list[str] | None) -> list[str]:
    known = [a.name for a in manifest().agents]
    unknown = set(agents or []) - set(known)
    if unknown:
        raise ValueError(f"unknown agents: {sorted(unknown)}; the agents are {', '.join(known)}")
    return [a for a in known if not agents or a in agents]


def dlq_list(agents: list[str] | None = None, *, now: float | None = None) -> list[dict[str, Any]]:
    """Per agent, its DLQ: messages waiting and in flight, the oldest seen and a sample body.

    The oldest and the sample come from one peek (ReceiveMessage of up to `PEEKED` messages with a
    visibility timeout of 0, so they stay visible and a redrive still moves them): with more messages
    waiting, the oldest is the oldest of those seen (CloudWatch's ApproximateAgeOfOldestMessage is the
    exact figure on AWS, and the DLQ depth and age alarms watch it).
    """
    sqs = client("sqs")
    now = time.time() if now is None else now
    rows: list[dict[str, Any]] = []
    for agent in _agents(agents):
        url, arn = _queue(sqs, next(a.dlq_name for a in manifest().agents if a.name == agent))
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        waiting = int(attributes.get("ApproximateNumberOfMessages", 0))
        peeked = []
        if waiting:
            peeked = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=PEEKED,
                VisibilityTimeout=0,
                WaitTimeSeconds=0,
                AttributeNames=["SentTimestamp"],
            ).get("Messages", [])
        oldest = min(peeked, key=lambda m: int(m["Attributes"]["SentTimestamp"]), default=None)
        rows.append(
            {
                "agent": agent,
                "dlq": arn,
                "messages": waiting,
                "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
                "oldest_age_s": round(now - int(oldest["Attributes"]["SentTimestamp"]) / 1000, 1) if oldest else None,
                "sample": oldest["Body"][:SAMPLE_CHARS] if oldest else None,
            }
        )
    return rows


def dlq_redrive(
    agent: str,
    *,
    rate: int | None = None,
    timeout_s: float = 300.0,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Move an agent's dead letters back to its queue with an SQS message-move task; wait for its end.

    The destination is named (the agent's queue), not left to SQS's default (each message's original
    source queue): EventBridge also dead-letters events it could not deliver, and those never were
    in a source queue. The agent's DLQ allows exactly that queue as a redrive destination (Terraform's
    redrive allow policy).
    """
    (name,) = _agents([agent])
    spec = next(a for a in manifest().agents if a.name == name)
    sqs = client("sqs")
    _, source = _queue(sqs, spec.dlq_name)
    _, destination = _queue(sqs, spec.queue_name)
    started = sqs.start_message_move_task(
        SourceArn=source,
        DestinationArn=destination,
        **({"MaxNumberOfMessagesPerSecond": rate} if rate else {}),
    )
    deadline = time.monotonic() + timeout_s
    while True:
        # One task at a time per source queue: the newest listed is this one.
        [task] = sqs.list_message_move_tasks(SourceArn=source, MaxResults=1)["Results"]
        if progress:
            progress(dict(task))
        if task["Status"] not in ("RUNNING", "CANCELLING") or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    return {
        "agent": name,
        "task_handle": started["TaskHandle"],
        "status": task["Status"],
        "moved": task.get("ApproximateNumberOfMessagesMoved", 0),
        "to_move": task.get("ApproximateNumberOfMessagesToMove"),
        "failure_reason": task.get("FailureReason"),
        "source": source,
        "destination": destination,
    }
