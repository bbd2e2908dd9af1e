"""The per-turn event log: every bus event of a turn, kept for tracing and the turn's summary.

Written by the analytics agent (a batch at a time), read by it (to summarise a turn when its
reply goes out), by `aicc trace` / `aicc replay diff` and by `aicc bench` (critical paths).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aicc.ports.bus import BusEvent

# Logged events read as absent this long after they were written.
RETENTION_S = 90 * 24 * 3600


@dataclass(frozen=True)
class LoggedEvent:
    event_id: str
    source: str
    detail_type: str
    producer: str
    causation_id: str
    occurred_at: datetime
    detail: dict[str, Any] = field(repr=False)  # the event's detail as JSON (meta included)


class EventLog(Protocol):
    def append(self, events: Iterable[BusEvent]) -> None:
        """Log these events under their turns. Idempotent: an event is keyed by its occurrence time
        and id, so a redelivered event (or the same event twice in one batch) is logged once."""
        ...

    def turn(self, turn_id: str) -> list[LoggedEvent]:
        """Every logged event of the turn, oldest first (empty for an unknown turn)."""
        ...
