"""Appointments: one record per *held* slot, keyed by the slot id (see `aicc.agents.slots`).

Holding a slot is a conditional write that succeeds only when the slot is free: that condition is
the whole double-booking guard, so two customers racing for one slot can never both hold it.
Releasing is conditional on the appointment id, so a late retry never frees a later booking.

Holding may also be limited by the customer's open bookings (`within`): the adapter shows the rule
the customer's open bookings as of a consistent read and the hold lands only if no other hold of
that customer landed since, so concurrent requests cannot together exceed the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from contracts.events import Appointment


@dataclass(frozen=True)
class Booking:
    """A held slot: the appointment, who holds it, and the turn that booked it."""

    appointment: Appointment
    customer_id: str
    conversation_id: str
    turn_id: str
    booked_at: datetime

    @property
    def slot_id(self) -> str:
        return self.appointment.slot.slot_id


# Given the customer's open bookings (starting at or after the new booking's `booked_at`), may it be added?
Within = Callable[[list[Booking]], bool]


class OverLimit(Exception):
    """The hold was refused by its limit; `open` are the customer's open bookings it was refused for."""

    def __init__(self, open_bookings: list[Booking]) -> None:
        super().__init__(f"{len(open_bookings)} open bookings")
        self.open = open_bookings


class Appointments(Protocol):
    def hold(self, booking: Booking, *, within: Within | None = None) -> Booking | None:
        """Hold the booking's slot if it is free (and, given `within`, if the limit allows it).

        Returns the booking that holds the slot afterwards when it is the same customer's: this one,
        or the one they already held there (a retried turn, a button pressed twice), unchanged, and
        whatever the limit says. None when another customer holds it. Raises OverLimit when `within`
        refuses the customer's open bookings (soonest first).
        """
        ...

    def release(self, slot_id: str, appointment_id: str) -> bool:
        """Free the slot if that appointment holds it; False (and nothing freed) otherwise."""
        ...

    def get(self, slot_id: str) -> Booking | None:
        """The booking holding that slot (a consistent read), or None when it is free."""
        ...

    def held(self, slot_ids: Iterable[str]) -> set[str]:
        """Which of these slots are held."""
        ...

    def of_customer(self, customer_id: str, *, starting_from: datetime | None = None) -> list[Booking]:
        """The customer's bookings, soonest first; only those starting at or after `starting_from` if given."""
        ...
