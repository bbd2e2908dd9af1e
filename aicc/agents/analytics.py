"""Analytics: a per-turn record from the turn's events, and daily aggregates that add up.

Pure functions; the handler does the I/O. Latencies go into fixed histogram buckets so daily
percentiles can be computed from counters (a DynamoDB item cannot hold every sample of a day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aicc.runtime.eventlog import LoggedEvent

# Upper bounds (ms) of the latency buckets; the last bucket is open-ended.
LATENCY_BUCKETS_MS: tuple[int, ...] = (
    25,
    50,
    75,
    100,
    125,
    150,
    200,
    250,
    300,
    400,
    500,
    750,
    1000,
    1500,
    2000,
    3000,
    5000,
    10000,
)


@dataclass
class TurnRecord:
    turn_id: str
    conversation_id: str
    day: str
    intent: str | None = None
    sentiment: str | None = None
    route_kind: str | None = None
    route_queue: str | None = None
    route_priority: str | None = None
    latency_ms: float | None = None
    agent_latency_ms: dict[str, float] = field(default_factory=dict)
    contributors: list[str] = field(default_factory=list)
    degraded: bool = False
    delivered: bool = True


def summarize(turn_id: str, events: Iterable[LoggedEvent]) -> TurnRecord:
    """The turn as a supervisor would read it: what was asked, how it felt, where it went, how fast."""
    by_type = {e.detail_type: e for e in sorted(events, key=lambda e: e.occurred_at)}
    received = by_type.get("ConversationReceived")
    reply = by_type.get("ReplySent")
    anchor = received or reply or next(iter(by_type.values()))
    record = TurnRecord(
        turn_id=turn_id,
        conversation_id=str(anchor.detail["meta"]["conversation_id"]),
        day=anchor.occurred_at.date().isoformat(),
    )
    if "IntentDetected" in by_type:
        record.intent = by_type["IntentDetected"].detail.get("intent")
    if "SentimentAnalyzed" in by_type:
        record.sentiment = by_type["SentimentAnalyzed"].detail.get("label")
    if reply is not None:
        route = reply.detail.get("route") or {}
        record.route_kind, record.route_queue = route.get("kind"), route.get("queue")
        record.route_priority = route.get("priority")
        record.latency_ms = float(reply.detail.get("latency_ms", 0.0))
        record.contributors = list(reply.detail.get("contributors", []))
        record.degraded = bool(reply.detail.get("degraded", False))
        record.delivered = bool(reply.detail.get("delivered", True))
    if received is not None:
        for event in by_type.values():
            if event.detail_type in ("ConversationReceived", "ReplySent", "AnalyticsRecorded"):
                continue
            elapsed = (event.occurred_at - received.occurred_at).total_seconds() * 1000
            record.agent_latency_ms[event.producer] = round(max(0.0, elapsed), 2)
    return record


def bucket_of(latency_ms: float) -> str:
    for bound in LATENCY_BUCKETS_MS:
        if latency_ms <= bound:
            return f"le_{bound}"
    return "gt_max"


def daily_increments(record: TurnRecord) -> dict[str, int]:
    """Counters this turn adds to its day (all additive, so they can be ADDed atomically)."""
    counters = {"turns": 1, "degraded": int(record.degraded), "undelivered": int(not record.delivered)}
    if record.route_kind == "human":
        counters["escalations"] = 1
        counters[f"queue_{record.route_queue}"] = 1
    if record.intent:
        counters[f"intent_{record.intent}"] = 1
    if record.sentiment:
        counters[f"sentiment_{record.sentiment}"] = 1
    if record.latency_ms is not None:
        counters[f"latency_{bucket_of(record.latency_ms)}"] = 1
    return counters


def percentile_from_buckets(counters: Mapping[str, int], q: float) -> float | None:
    """The q-th percentile (0-100) as the upper bound of the bucket it falls in."""
    counts = [(bound, int(counters.get(f"latency_le_{bound}", 0))) for bound in LATENCY_BUCKETS_MS]
    overflow = int(counters.get("latency_gt_max", 0))
    total = sum(n for _, n in counts) + overflow
    if total == 0:
        return None
    rank = q / 100 * total
    seen = 0
    for bound, n in counts:
        seen += n
        if seen >= rank and n:
            return float(bound)
    return float("inf")


def merge(days: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counters in days:
        for name, value in counters.items():
            total[name] = total.get(name, 0) + int(value)
    return total


def stats_summary(counters: Mapping[str, int]) -> dict[str, Any]:
    turns = int(counters.get("turns", 0))

    def group(prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in sorted(counters.items()) if k.startswith(prefix)}

    return {
        "turns": turns,
        "intents": group("intent_"),
        "sentiment": group("sentiment_"),
        "escalations": int(counters.get("escalations", 0)),
        "queues": group("queue_"),
        "p50_ms": percentile_from_buckets(counters, 50),
        "p95_ms": percentile_from_buckets(counters, 95),
        "degraded_share": (int(counters.get("degraded", 0)) / turns) if turns else 0.0,
        "undelivered": int(counters.get("undelivered", 0)),
    }
