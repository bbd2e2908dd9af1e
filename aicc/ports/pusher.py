"""Pushing frames to WebSocket connections (API Gateway's `@connections` on AWS)."""

from __future__ import annotations

from typing import Protocol


class Pusher(Protocol):
    def push(self, connection_id: str, data: str) -> bool:
        """Send one frame; False when the connection is gone (its record is then dropped)."""
        ...

    def push_to_user(self, user_id: str, data: str) -> int:
        """Push to every open connection of the user; how many took it."""
        ...
