"""Connections in memory: a record per connection id, expired (reads as gone) after its TTL."""

from __future__ import annotations

import threading

from aicc.adapters.memory.clock import Clock
from aicc.ports.connections import Connection


class MemoryConnections:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._lock = threading.Lock()
        self._open: dict[str, tuple[Connection, float]] = {}  # id -> (connection, expires at)

    def record(self, connection: Connection, *, ttl_s: int) -> None:
        with self._lock:
            self._open[connection.connection_id] = (connection, self.clock.now() + ttl_s)

    def drop(self, connection_id: str) -> None:
        with self._lock:
            self._open.pop(connection_id, None)

    def of_user(self, user_id: str) -> list[str]:
        now = self.clock.now()
        with self._lock:
            return [c.connection_id for c, expires in self._open.values() if c.user_id == user_id and expires > now]

    def of_staff(self, role: str, dealer_id: str | None = None) -> list[str]:
        if role not in ("oem_staff", "dealer") or (role == "dealer" and dealer_id is None):
            return []  # not staff, or a dealer without a dealership: sees no queue
        now = self.clock.now()
        with self._lock:
            return [
                c.connection_id
                for c, expires in self._open.values()
                if c.role == role and (role != "dealer" or c.dealer_id == dealer_id) and expires > now
            ]
