"""A pusher in memory: the frames each connection received, in order; `close` makes a connection
gone, so the next push to it drops its record as a 410 does on API Gateway."""

from __future__ import annotations

import json
import threading
from typing import Any

from aicc.ports.connections import Connections


class MemoryPusher:
    def __init__(self, connections: Connections) -> None:
        self.connections = connections
        self._lock = threading.Lock()
        self.sent: dict[str, list[str]] = {}
        self._closed: set[str] = set()

    def close(self, connection_id: str) -> None:
        """The client went away without $disconnect (the record stays until a push finds out)."""
        with self._lock:
            self._closed.add(connection_id)

    def frames(self, connection_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(data) for data in self.sent.get(connection_id, [])]

    def push(self, connection_id: str, data: str) -> bool:
        with self._lock:
            gone = connection_id in self._closed
            if not gone:
                self.sent.setdefault(connection_id, []).append(data)
        if gone:
            self.connections.drop(connection_id)
            return False
        return True

    def push_to_user(self, user_id: str, data: str) -> int:
        return sum(self.push(connection_id, data) for connection_id in self.connections.of_user(user_id))
