"""A bus in memory: records what was published and which deadlines were scheduled.

`refuse` lets a test make the bus refuse entries, as PutEvents may (by index, per call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from contracts.events import EventDetail, TurnDeadline


@dataclass(frozen=True)
class Published:
    source: str
    detail: EventDetail
    trace_header: str | None


@dataclass
class MemoryBus:
    published: list[Published] = field(default_factory=list)
    scheduled: list[TurnDeadline] = field(default_factory=list)
    # Given a detail, whether the bus refuses it (refused entries are not recorded as published).
    refuse: Callable[[EventDetail], bool] = field(default=lambda detail: False)

    def publish(
        self, details: Sequence[EventDetail], *, source: str, trace_headers: Sequence[str | None] | None = None
    ) -> list[int]:
        traces = list(trace_headers) if trace_headers is not None else [None] * len(details)
        refused: list[int] = []
        for index, (detail, trace) in enumerate(zip(details, traces, strict=True)):
            if self.refuse(detail):
                refused.append(index)
            else:
                self.published.append(Published(source, detail, trace))
        return refused

    def schedule_deadlines(self, deadlines: Sequence[TurnDeadline], *, source: str) -> None:
        self.scheduled.extend(deadlines)

    def details(self) -> list[EventDetail]:
        return [p.detail for p in self.published]
