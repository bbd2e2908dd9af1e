"""Analytics: a per-turn record from the turn's events, and daily aggregates that add up.

Logic over the `EventLog` and `Analytics` ports, passed in. Latencies go into fixed histogram
buckets so daily percentiles can be computed from counters (a day's totals are one record of
counters, which cannot hold every sample of a day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from aicc.ports.analytics import Analytics, TurnRecord
from aicc.ports.bus import BusEvent
from aicc.ports.eventlog import EventLog, LoggedEvent
from aicc.runtime.bus import new_meta
from contracts.common import Route
from contracts.events import AnalyticsRecorded, ReplySent

AGENT = "analytics"

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


def record_reply(event: BusEvent, log: EventLog, analytics: Analytics) -> TurnRecord | None:
    """On a ReplySent, summarise its turn from the event log and record it with its day's counters:
    the record, or None when there is nothing to count (another event, or a duplicate delivery)."""
    if not isinstance(event.detail, ReplySent):
        return None
    record = summarize(event.meta.turn_id, log.turn(event.meta.turn_id))
    if not analytics.record_turn(record, daily_increments(record)):
        return None
    return record


def analytics_recorded(reacting_to: BusEvent, record: TurnRecord) -> AnalyticsRecorded:
    route = (
        Route(kind=record.route_kind, queue=record.route_queue, priority=record.route_priority)
        if record.route_kind
        else None
    )
    return AnalyticsRecorded(
        meta=new_meta(reacting_to=reacting_to, producer=AGENT),
        intent=record.intent,
        sentiment=record.sentiment,
        route=route,
        latency_ms=record.latency_ms,
        agent_latency_ms=record.agent_latency_ms,
        contributors=record.contributors,
        degraded=record.degraded,
    )


def summarize(turn_id: str, events: Iterable[LoggedEvent]) -> TurnRecord:
    """The turn as a supervisor would read it: what was asked, how it felt, where it went, how fast."""
    by_type = {e.detail_type: e for e in sorted(events, key=lambda e: e.occurred_at)}
    received = by_type.get("ConversationReceived")
    reply = by_type.get("ReplySent")
    anchor = received or reply or next(iter(by_type.values()))
    intent = by_type.get("IntentDetected")
    sentiment = by_type.get("SentimentAnalyzed")
    service = by_type.get("ServiceActionTaken")
    replied: dict[str, Any] = {}
    if reply is not None:
        route = reply.detail.get("route") or {}
        replied = {
            "route_kind": route.get("kind"),
            "route_queue": route.get("queue"),
            "route_priority": route.get("priority"),
            "latency_ms": float(reply.detail.get("latency_ms", 0.0)),
            "contributors": list(reply.detail.get("contributors", [])),
            "degraded": bool(reply.detail.get("degraded", False)),
            "delivered": bool(reply.detail.get("delivered", True)),
        }
    agent_latency_ms: dict[str, float] = {}
    if received is not None:
        for event in by_type.values():
            if event.detail_type in ("ConversationReceived", "ReplySent", "AnalyticsRecorded"):
                continue
            elapsed = (event.occurred_at - received.occurred_at).total_seconds() * 1000
            agent_latency_ms[event.producer] = round(max(0.0, elapsed), 2)
    return TurnRecord(
        turn_id=turn_id,
        conversation_id=str(anchor.detail["meta"]["conversation_id"]),
        day=anchor.occurred_at.date().isoformat(),
        intent=intent.detail.get("intent") if intent else None,
        sentiment=sentiment.detail.get("label") if sentiment else None,
        agent_latency_ms=agent_latency_ms,
        booked=_booked(reply, service),
        **replied,
    )


def _booked(reply: LoggedEvent | None, service: LoggedEvent | None) -> str | None:
    """The reply says what the turn booked; a ReplySent from before it did (an archive) leaves the
    turn's ServiceActionTaken, if it was logged in time."""
    if reply is not None and reply.detail.get("booked"):
        return str(reply.detail["booked"])
    if service is not None and service.detail.get("action") == "booked":
        return str(service.detail.get("kind"))
    return None


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
    if record.booked:
        counters["bookings"] = 1
        counters[f"booking_{record.booked}"] = 1
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
        "bookings": int(counters.get("bookings", 0)),
        "booking_kinds": group("booking_"),
    }


def day_summary(day: str, counters: Mapping[str, int]) -> dict[str, Any]:
    """One day of a trend: its turns, how they felt, where they went, what was booked."""
    summary = stats_summary(counters)
    return {"day": day} | {
        key: summary[key] for key in ("turns", "sentiment", "escalations", "degraded_share", "bookings")
    }


def last_days(today: date, count: int) -> list[str]:
    """The ISO dates of `count` days back, today included."""
    return [(today - timedelta(days=offset)).isoformat() for offset in range(count)]


def stats(analytics: Analytics, days: Iterable[str]) -> dict[str, Any]:
    """`stats_summary` of these days' counters added up, and `by_day`: each day's trend figures,
    oldest first (a day with no turns is there, with zeros, so a chart's axis has no gaps)."""
    wanted = sorted(days)
    daily = analytics.daily_counters(wanted)
    summary = stats_summary(merge(daily.values()))
    summary["by_day"] = [day_summary(day, daily.get(day, {})) for day in wanted]
    return summary
