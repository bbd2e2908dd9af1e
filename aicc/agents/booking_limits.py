"""How many open appointments one customer may hold: the product rule, enforced atomically by
`Appointments.hold(..., within=...)`.

Open means starting now or later. The limits:
- service: at most `SERVICE_PER_VEHICLE` per vehicle (a second one covers "the brakes next week,
  the tyres next month") and `SERVICE_PER_CUSTOMER` in all (a household with a few cars);
- test drives: at most `TEST_DRIVES_PER_CUSTOMER`, counted apart from services (comparing a few models).
Reaching one is answered with the appointments that count against it and an offer to move one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aicc.ports.appointments import Booking

SERVICE_PER_VEHICLE = 2
SERVICE_PER_CUSTOMER = 4
TEST_DRIVES_PER_CUSTOMER = 3


@dataclass(frozen=True)
class Breach:
    """The limit a new booking would pass, and the open bookings that count against it (soonest first)."""

    scope: Literal["vehicle", "customer"]
    limit: int
    counted: list[Booking]

    @property
    def notice(self) -> str:
        """The `limit:<scope>:<limit>` notice the reply explains."""
        return f"limit:{self.scope}:{self.limit}"


def breach(new: Booking, open_bookings: list[Booking]) -> Breach | None:
    """The limit `new` would pass given the customer's open bookings, or None when it fits."""
    kind = new.appointment.kind
    same_kind = [b for b in open_bookings if b.appointment.kind == kind and b.slot_id != new.slot_id]
    if kind == "test_drive":
        if len(same_kind) >= TEST_DRIVES_PER_CUSTOMER:
            return Breach("customer", TEST_DRIVES_PER_CUSTOMER, same_kind)
        return None
    vin = new.appointment.vin
    same_car = [b for b in same_kind if vin and b.appointment.vin == vin]
    if len(same_car) >= SERVICE_PER_VEHICLE:
        return Breach("vehicle", SERVICE_PER_VEHICLE, same_car)
    if len(same_kind) >= SERVICE_PER_CUSTOMER:
        return Breach("customer", SERVICE_PER_CUSTOMER, same_kind)
    return None
