"""The event log in memory: keyed like the DynamoDB one (turn, occurrence time, event id), so a
redelivered event overwrites itself; an event past its retention reads as absent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from aicc.adapters.memory.clock import Clock
from aicc.ports.eventlog import RETENTION_S, LoggedEvent
from aicc.runtime.bus import BusEvent


@dataclass
class MemoryEventLog:
    clock: Clock = field(default_factory=Clock)
    # turn id -> (occurred_at ISO, event id) -> (event, expires_at)
    _turns: dict[str, dict[tuple[str, str], tuple[LoggedEvent, float]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, events: Iterable[BusEvent]) -> None:
        expires_at = int(self.clock.now()) + RETENTION_S
        with self._lock:
            for event in events:
                logged = LoggedEvent(
                    event_id=event.id,
                    source=event.source,
                    detail_type=event.detail_type,
                    producer=event.meta.producer,
                    causation_id=event.meta.causation_id,
                    occurred_at=event.meta.occurred_at,
                    detail=json.loads(event.detail.model_dump_json()),
                )
                key = (event.meta.occurred_at.isoformat(), event.id)
                self._turns.setdefault(event.meta.turn_id, {})[key] = (logged, expires_at)

    def turn(self, turn_id: str) -> list[LoggedEvent]:
        now = self.clock.now()
        with self._lock:
            logged = sorted((self._turns.get(turn_id) or {}).items())
        # In key order first (as a Query returns them), then by time, as the DynamoDB adapter sorts.
        return sorted((event for _, (event, expires_at) in logged if expires_at > now), key=lambda e: e.occurred_at)
