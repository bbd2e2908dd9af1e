"""Admission: how many customer turns are in flight (accepted by the ingress, not yet answered), so
the stack sheds load past its capacity instead of queueing it silently.

What callers rely on:
- `admit(limit)` counts one more turn only while fewer than `limit` are in flight: one conditional
  write, so concurrent ingresses cannot together pass the limit.
- `release()` counts one turn fewer, never below zero. The ingress releases a message it does not
  hand to the assistant (a retry, a relay to staff) and one it failed to hand on; the aggregator
  releases a turn when its reply is sent (on completion or at its deadline, so every admitted turn is
  released within about the deadline).
- A count nothing has released for `STALE_S` while at the limit is stale (a crash between admit and
  release): the next `admit` starts it again from that turn.
- `seen()` is the count in flight and the turns released in all, as this instance's last `admit`
  read them (no call of its own): the ingress derives the stack's throughput and reply time from
  them (Little's law).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

STALE_S = 30


class Counts(NamedTuple):
    in_flight: int
    released: int  # in all, since the count started (never decreases while it lives)


class Admission(Protocol):
    def admit(self, limit: int) -> bool:
        """Count one more turn in flight if fewer than `limit` are; False (nothing counted) otherwise."""
        ...

    def release(self) -> None:
        """One turn in flight fewer (never below zero)."""
        ...

    def in_flight(self) -> int:
        """The turns counted in flight now."""
        ...

    def seen(self) -> Counts:
        """The counts as of this instance's last `admit`."""
        ...
