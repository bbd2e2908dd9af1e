"""Appointments in memory, with DynamoDB's semantics: holding is check-and-set under one lock (a
conditional put is atomic), a failed hold or release changes nothing, reads see the latest write."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime

from aicc.ports.appointments import Booking, OverLimit, Within


class MemoryAppointments:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_slot: dict[str, Booking] = {}

    def hold(self, booking: Booking, *, within: Within | None = None) -> Booking | None:
        with self._lock:  # the limit's check and the hold under one lock: concurrent holds cannot both pass
            existing = self._by_slot.get(booking.slot_id)
            if existing is None:
                if within is not None:
                    held = self._open(booking.customer_id, booking.booked_at)
                    if not within(held):
                        raise OverLimit(held)
                self._by_slot[booking.slot_id] = booking
                return booking
        return existing if existing.customer_id == booking.customer_id else None

    def release(self, slot_id: str, appointment_id: str) -> bool:
        with self._lock:
            existing = self._by_slot.get(slot_id)
            if existing is None or existing.appointment.appointment_id != appointment_id:
                return False
            del self._by_slot[slot_id]
            return True

    def get(self, slot_id: str) -> Booking | None:
        with self._lock:
            return self._by_slot.get(slot_id)

    def held(self, slot_ids: Iterable[str]) -> set[str]:
        with self._lock:
            return {slot_id for slot_id in slot_ids if slot_id in self._by_slot}

    def of_customer(self, customer_id: str, *, starting_from: datetime | None = None) -> list[Booking]:
        with self._lock:
            return self._open(customer_id, starting_from)

    def _open(self, customer_id: str, starting_from: datetime | None) -> list[Booking]:
        mine = [b for b in self._by_slot.values() if b.customer_id == customer_id]
        if starting_from is not None:
            earliest = _index_time(starting_from)
            mine = [b for b in mine if _index_time(b.appointment.slot.start) >= earliest]
        return sorted(mine, key=lambda b: (_index_time(b.appointment.slot.start), b.slot_id))


def _index_time(moment: datetime) -> datetime:
    """What the DynamoDB index sorts on: the start in UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0)
