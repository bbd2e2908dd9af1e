"""Admission in memory, with the DynamoDB adapter's semantics (check and count under one lock)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from aicc.ports.admission import STALE_S, Counts


class MemoryAdmission:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._released = 0
        self._released_at = clock()
        self._clock = clock

    def admit(self, limit: int) -> bool:
        with self._lock:
            now = self._clock()
            if self._count < limit:
                self._count += 1
                return True
            if self._released_at < now - STALE_S:  # nothing answered for that long: the count is stale
                self._count, self._released_at = 1, now
                return True
            return False

    def release(self) -> None:
        with self._lock:
            if self._count > 0:  # as on DynamoDB: a release at zero counts nothing
                self._released += 1
            self._count = max(0, self._count - 1)
            self._released_at = self._clock()

    def in_flight(self) -> int:
        with self._lock:
            return self._count

    def seen(self) -> Counts:
        with self._lock:
            return Counts(self._count, self._released)
