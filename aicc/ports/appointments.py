"""Appointments: one record per *held* slot, keyed by the slot id (see `aicc.agents.slots`).

Holding a slot is a conditional write that succeeds only when the slot is free: that condition is
the whole double-booking guard, so two customers racing for one slot can never both hold it.
Releasing is conditional on the appointment id, so a late retry never frees a later booking.
"""

from __future__ import annotations

from collections.abc import Iterable
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


class Appointments(Protocol):
    def hold(self, booking: Booking) -> Booking | None:
        """Hold the booking's slot if it is free.

        Returns the booking that holds the slot afterwards when it is the same customer's: this one,
        or the one they already held there (a retried turn, a button pressed twice), unchanged.
        None when another customer holds it.
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
