"""Turn summaries and daily counters in memory: the summary is a conditional create (a turn
already recorded changes nothing), the day's counters are added under the same lock; a summary
past its retention reads as absent, counters never expire."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aicc.adapters.memory.clock import Clock
from aicc.ports.analytics import RETENTION_S, TurnRecord


@dataclass
class MemoryAnalytics:
    clock: Clock = field(default_factory=Clock)
    # turn id -> (summary as JSON, expires_at): stored serialised so a caller's later mutation of
    # the record's dict/list fields cannot change what was recorded.
    _summaries: dict[str, tuple[str, float]] = field(default_factory=dict)
    _days: dict[str, dict[str, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_turn(self, record: TurnRecord, counters: Mapping[str, int]) -> bool:
        now = self.clock.now()
        with self._lock:
            existing = self._summaries.get(record.turn_id)
            if existing is not None and existing[1] > now:
                return False
            self._summaries[record.turn_id] = (json.dumps(dataclasses.asdict(record)), int(now) + RETENTION_S)
            totals = self._days.setdefault(record.day, {})
            for name, value in counters.items():
                totals[name] = totals.get(name, 0) + int(value)
            return True

    def summary(self, turn_id: str) -> TurnRecord | None:
        with self._lock:
            found = self._summaries.get(turn_id)
        if found is None or found[1] <= self.clock.now():
            return None
        return TurnRecord(**json.loads(found[0]))

    def daily_counters(self, days: Iterable[str]) -> dict[str, dict[str, int]]:
        with self._lock:
            return {day: dict(self._days.get(day, {})) for day in days}
