"""Joins over the turn store, as a consumer runs them: one write per turn per batch.

Shared by every agent that waits for several events of a turn (the coordinator, routing).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aicc.ports.turns import Recorded, TurnStore, TurnStores, join_scope

if TYPE_CHECKING:
    from aicc.runtime.bus import BusEvent


class BatchJoin:
    """A consumer's join that records a batch's results with one write per turn.

    `record_batch` is the consumer's `prepare`: it groups the batch's events by turn and records
    each group in one `record_all`. `recorded(event)` then gives each event its share. The group's
    last event gets the write's outcome; the others get None, since one write completes a join at most
    once. An event that was not recorded with its batch is recorded alone: a call outside a batch, or
    a second copy in one batch (EventBridge may deliver an event twice).
    """

    def __init__(self, agent: str, stores: TurnStores) -> None:
        self.agent = agent
        self._stores = stores
        # Per invocation: a Lambda container runs one at a time, the embedded stack one per thread.
        self._in_batch: ContextVar[dict[str, Recorded | None]] = ContextVar(f"aicc_{agent}_recorded_in_batch")

    def store(self, replay: str | None) -> TurnStore:
        """This agent's join state (a replay's apart from the original turns')."""
        return self._stores(join_scope(self.agent, replay))

    def record_batch(self, events: Sequence[BusEvent]) -> None:
        """Record the batch's events; a failure fails the whole batch, and every write is safe to repeat."""
        self._in_batch.set({})
        groups: dict[tuple[str | None, str], list[BusEvent]] = {}
        for event in events:
            groups.setdefault((event.replay, event.meta.turn_id), []).append(event)
        outcomes: dict[str, Recorded | None] = {}
        for (replay, turn_id), group in groups.items():
            results: dict[str, dict[str, Any]] = {}
            for event in group:
                results.setdefault(event.detail_type, event.detail.model_dump(mode="json"))
            recorded = self.store(replay).record_all(turn_id, results)
            outcomes.update(dict.fromkeys((event.id for event in group), None))
            outcomes[group[-1].id] = recorded  # the latest cause speaks for the write
        self._in_batch.set(outcomes)

    def in_batch(self, event: BusEvent) -> bool:
        """Whether `record_batch` recorded this event (and `recorded` has not taken it yet)."""
        return event.id in self._in_batch.get({})

    def recorded(self, event: BusEvent) -> Recorded | None:
        """This event's share of its write (taken once), recording it alone if its batch did not."""
        outcomes = self._in_batch.get({})
        if event.id in outcomes:
            return outcomes.pop(event.id)
        detail = {event.detail_type: event.detail.model_dump(mode="json")}
        return self.store(event.replay).record_all(event.meta.turn_id, detail)
