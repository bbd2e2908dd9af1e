"""Kept for callers not yet given an `EventLog` port (the bench's critical paths): the event log
itself is `aicc.ports.eventlog`, on DynamoDB in `aicc.adapters.dynamodb.eventlog`."""

from __future__ import annotations

from typing import Any

from aicc.ports.eventlog import RETENTION_S, LoggedEvent

__all__ = ["RETENTION_S", "LoggedEvent", "read_turn"]


def read_turn(turn_id: str, *, dynamodb: Any = None, table: str | None = None) -> list[LoggedEvent]:
    """Every logged event of a turn, oldest first (a client and table may be given by tools that
    talk to a stack other than the one in their environment)."""
    from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog

    return DynamoDBEventLog(dynamodb, table).turn(turn_id)
