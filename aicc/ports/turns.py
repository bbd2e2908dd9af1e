"""Turns: per-turn join state, shared by every agent that waits for several events of one turn.

A join is scoped per agent (and per replay: a replayed turn joins apart from the original). It
holds the turn's results (detail-type -> the detail as JSON, as it arrived), whether its reply
was claimed and whether it was delivered.

What callers rely on:
- Recording sets each result only if it is absent, so duplicates and reordering change nothing.
  One write records several results of a turn and reports the state it found and the state it
  left. Writes to one turn are serialized, so exactly one write takes the turn from incomplete to
  complete (whatever "complete" means to the caller).
- Replying is claimed with a lease: a claim succeeds if nobody claimed the turn, or if an earlier
  claim never reached `mark_delivered` and its lease ran out (that invocation crashed mid-way).
  Hence at most one reply per turn, and still a reply when the first attempt died.
- A turn's state expires `TURN_TTL_S` after its last recorded result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

TURN_TTL_S = 7 * 24 * 3600
CLAIM_LEASE_S = 30
# A turn can be claimed for its reply only once its message is recorded (the reply is addressed to it).
MUST_HOLD = "ConversationReceived"

Details = Mapping[str, dict[str, Any]]  # detail-type -> detail (JSON)


@dataclass(frozen=True)
class TurnState:
    turn_id: str
    scope: str
    results: dict[str, dict[str, Any]]  # detail-type -> detail (JSON)
    claimed: bool
    delivered: bool


@dataclass(frozen=True)
class Recorded:
    """One write's view of a turn: the state it found and the state it left."""

    before: TurnState
    after: TurnState


class MessageNotRecorded(RuntimeError):
    """A claim came before the turn's message was recorded: the delivery must be retried."""


def join_scope(agent: str, replay: str | None = None) -> str:
    """An agent's join state; a replayed turn joins in its own state, apart from the original turn's."""
    return f"{agent}#{replay}" if replay else agent


class TurnStore(Protocol):
    """One scope's join state (see `join_scope`)."""

    @property
    def scope(self) -> str: ...

    def record_all(self, turn_id: str, results: Details) -> Recorded:
        """Record several results of one turn in one write; the first copy of each stands.
        Raises ValueError when `results` is empty."""
        ...

    def record_and_claim(self, turn_id: str, detail_type: str, detail: dict[str, Any]) -> TurnState | None:
        """Record one result and claim the reply in one write (the state after), or None when someone
        else holds the claim. Raises MessageNotRecorded, changing nothing, when `MUST_HOLD` is absent."""
        ...

    def load(self, turn_id: str) -> TurnState | None:
        """The turn's state (a consistent read), or None when nothing was recorded."""
        ...

    def claim(self, turn_id: str) -> bool:
        """True for exactly one caller per turn (modulo an expired lease of a crashed caller)."""
        ...

    def mark_delivered(self, turn_id: str, outcome: str) -> None:
        """The claimed reply went out (`outcome`: delivered, gone, replayed): the claim is final."""
        ...


# Given a scope (`join_scope`), its store: the DynamoDB adapter's class, or a memory table's `store`.
TurnStores = Callable[[str], TurnStore]
