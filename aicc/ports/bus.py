"""The event bus: publishing an agent's results, and scheduling a turn's deadline.

Publishing goes out in PutEvents batches; the bus may refuse single entries, which the caller
reports as its records' failures (so they are retried). A deadline is an event an agent sends
itself after a delay (the coordinator's TurnDeadline), not through the bus's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from contracts.events import EventDetail, TurnDeadline

PUT_EVENTS_MAX_ENTRIES = 10


class Bus(Protocol):
    def publish(
        self, details: Sequence[EventDetail], *, source: str, trace_headers: Sequence[str | None] | None = None
    ) -> list[int]:
        """Publish `details` (in order, `trace_headers` beside them); the indexes the bus refused."""
        ...

    def schedule_deadlines(self, deadlines: Sequence[TurnDeadline], *, source: str) -> None:
        """Deliver each deadline back to its sender after its `deadline_s`. All or nothing: raises
        if any was not scheduled (the caller's batch is then retried)."""
        ...
