"""Results of replays of the bus archive: which turns a replay re-sent, and the replies it produced."""

from __future__ import annotations

from typing import Any, Protocol

# A replay's results read as absent this long after they were recorded.
RETENTION_S = 30 * 24 * 3600


class ReplayResults(Protocol):
    def record_turn(self, replay_name: str, turn_id: str) -> None:
        """The replay re-sent this turn's message (a turn seen but never answered is 'missing' in a diff)."""
        ...

    def record_reply(self, replay_name: str, turn_id: str, reply: dict[str, Any]) -> None:
        """The reply the replay produced for the original turn `turn_id`."""
        ...

    def turns(self, replay_name: str) -> tuple[set[str], dict[str, dict[str, Any]]]:
        """(turn ids the replay re-sent, original turn id -> the reply the replay produced for it)."""
        ...
