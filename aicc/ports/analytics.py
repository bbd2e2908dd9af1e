"""Analytics: each turn's summary, recorded once, and the daily counters the summaries add up to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

# A turn's summary reads as absent this long after it was recorded (the daily counters stay).
RETENTION_S = 90 * 24 * 3600


@dataclass(frozen=True)
class TurnRecord:
    """A turn as a supervisor reads it: what was asked, how it felt, where it went, how fast."""

    turn_id: str
    conversation_id: str
    day: str  # ISO date of the turn's first event
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
    booked: str | None = None  # "service" or "test_drive": the turn made a new appointment


class Analytics(Protocol):
    def record_turn(self, record: TurnRecord, counters: Mapping[str, int]) -> bool:
        """Store the turn's summary and add `counters` to the totals of `record.day`, once per turn:
        False, changing nothing, when the turn is already recorded (a duplicate delivery)."""
        ...

    def summary(self, turn_id: str) -> TurnRecord | None:
        """The turn's recorded summary, or None."""
        ...

    def daily_counters(self, days: Iterable[str]) -> dict[str, dict[str, int]]:
        """Each asked day's (ISO date) counters; a day without turns maps to an empty dict."""
        ...
