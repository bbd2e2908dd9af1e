"""The reply path of a turn, read from its event log: hops per turn type, and the DAG the reply waited for.

Every logged event names its cause (`causation_id`), so walking back from ReplySent to
ConversationReceived gives the chain of bus deliveries the reply waited for. Its hop count is the
number of deliveries on that chain: each event delivered (EventBridge -> SQS -> Lambda) to the agent
that reacted to it, the last one to the agent that pushed the reply. `CR -> SentimentAnalyzed ->
RouteDecided -> TurnAssembled -> ResponseComposed -> ReplySent` is 5 hops; `CR -> KnowledgeRetrieved
-> ReplySent` is 2.

A reply waits for more than its causal chain: an agent that joins several results reacts to the
last of them. So each event of the path also gets its inputs: the events of the turn whose
detail-type its producer consumes (per the manifest), up to the one that caused it. Nothing here
names an agent or an event type beyond ConversationReceived and ReplySent, so the same reading works
for any choreography the manifest describes.
"""

from __future__ import annotations

import os
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aicc.ports.eventlog import LoggedEvent
from contracts.manifest import Manifest, manifest

ROOT_TYPE = "ConversationReceived"
REPLY_TYPE = "ReplySent"

# The turn types the issue names, by intent. A turn in the servicing flow is a booking step
# whatever its intent ("the second one", "Tuesday at 9").
TURN_TYPES: dict[str, str] = {
    "greeting": "greeting",
    "other": "questions",
    "warranty_inquiry": "questions",
    "recall_inquiry": "questions",
    "connected_services": "questions",
    "vehicle_feature_help": "feature help",
    "vehicle_problem": "warning lights",
    "service_booking": "booking",
    "purchase_inquiry": "buying",
    "test_drive": "buying",
    "financing": "buying",
    "trade_in": "buying",
    "parts_accessories": "buying",
    "complaint": "complaints",
    "roadside_assistance": "to a person",
    "human_agent": "to a person",
}
BOOKING_FLOW = "servicing"


@dataclass(frozen=True)
class Node:
    """One event on the reply's path and the events its producer waited for."""

    event_id: str
    detail_type: str
    producer: str
    inputs: tuple[str, ...]  # event ids; empty for the root

    def public(self) -> dict[str, Any]:
        return {"id": self.event_id, "type": self.detail_type, "producer": self.producer, "inputs": list(self.inputs)}


@dataclass(frozen=True)
class TurnPath:
    """The reply path of one turn: its causal chain, and the DAG (nodes in time order, reply last)."""

    turn_id: str
    turn_type: str
    intent: str | None
    chain: tuple[str, ...]  # "DetailType (producer)", ConversationReceived first, ReplySent last
    nodes: tuple[Node, ...]

    @property
    def hops(self) -> int:
        return len(self.chain) - 1

    @property
    def dag_hops(self) -> int:
        """The most deliveries on any path of the DAG from the root to the reply."""
        depth: dict[str, int] = {}
        for node in self.nodes:
            depth[node.event_id] = max((depth[i] + 1 for i in node.inputs if i in depth), default=0)
        return depth[self.nodes[-1].event_id] if self.nodes else 0

    def public(self) -> dict[str, Any]:
        return {
            "turn_id": self.turn_id,
            "turn_type": self.turn_type,
            "intent": self.intent,
            "hops": self.hops,
            "dag_hops": self.dag_hops,
            "chain": list(self.chain),
            "nodes": [n.public() for n in self.nodes],
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> TurnPath:
        """From `public()` (a previous bench's JSON)."""
        nodes = tuple(Node(n["id"], n["type"], n["producer"], tuple(n["inputs"])) for n in data["nodes"])
        return cls(data["turn_id"], data["turn_type"], data.get("intent"), tuple(data["chain"]), nodes)


def turn_type(events: Iterable[LoggedEvent]) -> tuple[str, str | None]:
    """(turn type, intent) from the intent the turn's events carry; a booking-flow turn is a booking step."""
    intent: str | None = None
    flow: str | None = None
    for event in events:
        detail = event.detail or {}
        flow = flow or (detail.get("meta") or {}).get("flow")
        value = detail.get("intent")
        if intent is None and isinstance(value, str):
            intent = value
    if flow == BOOKING_FLOW and TURN_TYPES.get(intent or "") != "to a person":
        return "booking", intent
    return TURN_TYPES.get(intent or "", "unknown"), intent


def _consumed_types(plan: Manifest) -> dict[str, set[str]]:
    return {agent.name: {t for sub in agent.consumes for t in sub.detail_types} for agent in plan.agents}


def turn_path(turn_id: str, events: list[LoggedEvent], plan: Manifest | None = None) -> TurnPath | None:
    """The turn's reply path, or None when its reply was not caused from its ConversationReceived
    (a reply the deadline sent: TurnDeadline travels on the aggregator's own queue, not the bus)."""
    plan = plan or manifest()
    by_id = {e.event_id: e for e in events}
    reply = next((e for e in events if e.detail_type == REPLY_TYPE), None)
    if reply is None:
        return None
    chain: list[LoggedEvent] = []
    current: LoggedEvent | None = reply
    # Bounded by the events: a cycle (which causation cannot form) stops at a repeat.
    while current is not None and current not in chain:
        chain.append(current)
        current = by_id.get(current.causation_id)
    if chain[-1].detail_type != ROOT_TYPE:
        return None
    chain.reverse()

    consumes = _consumed_types(plan)
    nodes: dict[str, Node] = {}
    pending = [reply]
    while pending:
        event = pending.pop()
        if event.event_id in nodes:
            continue
        cause = by_id.get(event.causation_id)
        inputs: list[LoggedEvent] = []
        if event.detail_type != ROOT_TYPE and cause is not None:
            # A producer that consumes several detail-types is taken to join them: it waited for each
            # of them the turn produced up to its cause. (One that reacts to each alone would be
            # projected slower than it is, never faster.)
            wanted = consumes.get(event.producer, set())
            inputs = [
                e
                for e in events
                if e.detail_type in wanted and e.occurred_at <= cause.occurred_at and e.event_id != event.event_id
            ]
            if cause not in inputs:
                inputs.append(cause)
            # Only inputs that themselves go back to the turn's message are on the path.
            inputs = [e for e in inputs if _reaches_root(e, by_id)]
        nodes[event.event_id] = Node(
            event.event_id, event.detail_type, event.producer, tuple(e.event_id for e in inputs)
        )
        pending.extend(inputs)
    ordered = sorted(nodes.values(), key=lambda n: (by_id[n.event_id].occurred_at, n.event_id == reply.event_id))
    kind, intent = turn_type(events)
    return TurnPath(
        turn_id=turn_id,
        turn_type=kind,
        intent=intent,
        chain=tuple(f"{e.detail_type} ({e.producer})" for e in chain),
        nodes=tuple(ordered),
    )


def _reaches_root(event: LoggedEvent, by_id: dict[str, LoggedEvent]) -> bool:
    seen: set[str] = set()
    current: LoggedEvent | None = event
    while current is not None and current.event_id not in seen:
        if current.detail_type == ROOT_TYPE:
            return True
        seen.add(current.event_id)
        current = by_id.get(current.causation_id)
    return False


def hop_report(paths: list[TurnPath], sampled: int) -> dict[str, Any]:
    """Hops overall (the keys the bench has always reported) and per turn type."""
    hops = [p.hops for p in paths]
    groups: dict[str, list[TurnPath]] = defaultdict(list)
    for path in paths:
        groups[path.turn_type].append(path)
    by_type = {
        kind: {
            "turns": len(group),
            "hops_median": statistics.median_low([p.hops for p in group]),
            "hops_max": max(p.hops for p in group),
            "dag_hops_max": max(p.dag_hops for p in group),
            "longest_chain": list(max(group, key=lambda p: p.hops).chain),
        }
        for kind, group in sorted(groups.items())
    }
    return {
        "sampled_turns": sampled,
        "traced_turns": len(paths),
        "untraced_turns": sampled - len(paths),
        "critical_path_hops": statistics.median_low(hops) if hops else None,
        "max_hops": max(hops) if hops else None,
        "longest_chain": list(max(paths, key=lambda p: p.hops).chain) if paths else [],
        "by_turn_type": by_type,
        "turns": [p.public() for p in paths],
    }


def read_turn_paths(turn_ids: list[str], dynamodb_url: str) -> list[TurnPath]:
    """The reply paths of these turns, from the analytics event log of the stack under test."""
    import boto3

    from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    # The stack under test, not this process's environment: its endpoint and its table prefix.
    log = DynamoDBEventLog(dynamodb, os.environ.get("AICC_BENCH_TABLE_PREFIX", "aicc-") + "analytics")
    paths = []
    for turn_id in turn_ids:
        path = turn_path(turn_id, log.turn(turn_id))
        if path is not None:
            paths.append(path)
    return paths
