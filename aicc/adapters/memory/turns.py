"""The turn store in memory, with the DynamoDB adapter's semantics.

- Recording sets each result only if absent (`if_not_exists`) and returns the state it found
  (ALL_OLD) and the state it left; all writes go through one lock, as DynamoDB serializes writes
  to an item, so exactly one write completes a join.
- A claim is a conditional write: it succeeds when nobody claimed the turn or when an undelivered
  claim's lease (`CLAIM_LEASE_S`, measured on the `Clock`) ran out; when it fails nothing changes.
- `record_and_claim` fails, changing nothing, unless the turn's message is recorded.
- A turn expires `TURN_TTL_S` after its last recorded result and then reads as absent.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from aicc.adapters.memory.clock import Clock
from aicc.ports.turns import (
    CLAIM_LEASE_S,
    MUST_HOLD,
    TURN_TTL_S,
    Details,
    MessageNotRecorded,
    Recorded,
    TurnState,
)


@dataclass
class _Turn:
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    claimed_at: float | None = None
    delivered_at: float | None = None
    outcome: str | None = None
    expires_at: float | None = None


class MemoryTurns:
    """The turns table: every scope's join state. `store(scope)` is a `TurnStores` factory."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._turns: dict[tuple[str, str], _Turn] = {}
        self._lock = threading.Lock()

    def store(self, scope: str) -> MemoryTurnStore:
        return MemoryTurnStore(self, scope)

    def outcome(self, scope: str, turn_id: str) -> str | None:
        """How the turn's reply went out (for tests): delivered, gone, replayed, or None."""
        with self._lock:
            turn = self._live(scope, turn_id)
            return turn.outcome if turn else None

    # Callers hold the lock.
    def _live(self, scope: str, turn_id: str) -> _Turn | None:
        turn = self._turns.get((turn_id, scope))
        if turn is not None and turn.expires_at is not None and turn.expires_at <= self.clock.now():
            del self._turns[(turn_id, scope)]
            return None
        return turn

    def _state(self, scope: str, turn_id: str, turn: _Turn | None) -> TurnState:
        if turn is None:
            return TurnState(turn_id, scope, {}, claimed=False, delivered=False)
        return TurnState(
            turn_id=turn_id,
            scope=scope,
            results=copy.deepcopy(turn.results),
            claimed=turn.claimed_at is not None,
            delivered=turn.delivered_at is not None,
        )

    def _claimable(self, turn: _Turn, now: float) -> bool:
        if turn.claimed_at is None:
            return True
        return turn.delivered_at is None and turn.claimed_at < now - CLAIM_LEASE_S


class MemoryTurnStore:
    def __init__(self, table: MemoryTurns, scope: str) -> None:
        self._table = table
        self.scope = scope

    def record_all(self, turn_id: str, results: Details) -> Recorded:
        if not results:
            raise ValueError("nothing to record")
        table = self._table
        with table._lock:
            turn = table._live(self.scope, turn_id)
            before = table._state(self.scope, turn_id, turn)
            if turn is None:
                turn = table._turns[(turn_id, self.scope)] = _Turn()
            for detail_type, detail in results.items():
                turn.results.setdefault(detail_type, copy.deepcopy(detail))
            turn.expires_at = table.clock.now() + TURN_TTL_S
            return Recorded(before=before, after=table._state(self.scope, turn_id, turn))

    def record_and_claim(self, turn_id: str, detail_type: str, detail: dict[str, Any]) -> TurnState | None:
        table = self._table
        with table._lock:
            now = table.clock.now()
            turn = table._live(self.scope, turn_id)
            if turn is None or MUST_HOLD not in turn.results:
                raise MessageNotRecorded(f"{detail_type} arrived before the turn's {MUST_HOLD} was recorded; retry")
            if not table._claimable(turn, now):
                return None
            turn.results.setdefault(detail_type, copy.deepcopy(detail))
            turn.claimed_at = now
            turn.expires_at = now + TURN_TTL_S
            return table._state(self.scope, turn_id, turn)

    def load(self, turn_id: str) -> TurnState | None:
        table = self._table
        with table._lock:
            turn = table._live(self.scope, turn_id)
            return table._state(self.scope, turn_id, turn) if turn is not None else None

    def claim(self, turn_id: str) -> bool:
        table = self._table
        with table._lock:
            now = table.clock.now()
            turn = table._live(self.scope, turn_id)
            if turn is None:
                # DynamoDB's UpdateItem creates the item: a claim on an unknown turn succeeds.
                turn = table._turns[(turn_id, self.scope)] = _Turn()
            if not table._claimable(turn, now):
                return False
            turn.claimed_at = now
            return True

    def mark_delivered(self, turn_id: str, outcome: str) -> None:
        table = self._table
        with table._lock:
            turn = table._live(self.scope, turn_id)
            if turn is None:
                turn = table._turns[(turn_id, self.scope)] = _Turn()
            turn.delivered_at = table.clock.now()
            turn.outcome = outcome
