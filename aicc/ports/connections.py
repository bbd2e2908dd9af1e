"""Connections: the open WebSocket connections, and whose they are (to push to a user)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Connection:
    connection_id: str
    user_id: str
    role: str
    dealer_id: str | None = None


class Connections(Protocol):
    def record(self, connection: Connection, *, ttl_s: int) -> None:
        """Remember an open connection; after `ttl_s` it reads as gone (a lost $disconnect must not
        leave it forever). Recording the same id again replaces it."""
        ...

    def drop(self, connection_id: str) -> None:
        """Forget the connection ($disconnect, or a push that found it gone); unknown ids are fine."""
        ...

    def of_user(self, user_id: str) -> list[str]:
        """Ids of the user's open connections (a customer on two devices, a staff member with two tabs)."""
        ...

    def of_staff(self, role: str, dealer_id: str | None = None) -> list[str]:
        """Ids of the open connections of staff with `role` (`oem_staff`, or `dealer` of `dealer_id`):
        whom a staff queue change is pushed to."""
        ...
