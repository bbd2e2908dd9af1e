"""The event bus: the events agents consume, publishing an agent's results, and scheduling a
turn's deadline.

Publishing goes out in PutEvents batches; the bus may refuse single entries, which the caller
reports as its records' failures (so they are retried). A deadline is an event an agent sends
itself after a delay (the coordinator's TurnDeadline), not through the bus's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from contracts.events import EventDetail, EventMeta, TurnDeadline

PUT_EVENTS_MAX_ENTRIES = 10


@dataclass(frozen=True)
class BusEvent:
    """An event as an agent sees it: the envelope plus its typed detail."""

    id: str
    source: str
    detail_type: str
    time: datetime
    detail: EventDetail
    replay_name: str | None = None

    @property
    def meta(self) -> EventMeta:
        return self.detail.meta

    @property
    def replay(self) -> str | None:
        """The replay this event belongs to: replayed from the archive, or derived from such an event."""
        return self.replay_name or self.meta.replay

    @property
    def archived_copy(self) -> bool:
        """An original event re-sent from the archive (not produced during the replay)."""
        return self.replay_name is not None and self.meta.replay is None

    def as_pattern_input(self) -> dict[str, Any]:
        """The shape EventBridge patterns are matched against."""
        return {"source": self.source, "detail-type": self.detail_type, "detail": self.detail.model_dump(mode="json")}


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
