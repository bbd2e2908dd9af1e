"""The Appointments port: one booking per slot, whoever races for it; releases only by the holder."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aicc.ports.appointments import Appointments, Booking, OverLimit
from contracts.events import Appointment, Slot
from tests.contract.conftest import BACKENDS

START = datetime.fromisoformat("2026-06-12T09:00:00-07:00")
SLOT_ID = "service#dlr-harbor#2026-06-12T09:00#1"


@pytest.fixture(params=BACKENDS)
def appointments(request: pytest.FixtureRequest) -> Iterator[Appointments]:
    if request.param == "memory":
        from aicc.adapters.memory.appointments import MemoryAppointments

        yield MemoryAppointments()
        return
    from aicc.adapters.dynamodb.appointments import DynamoAppointments
    from aicc.embedded.moto.patches import PATCHES
    from aicc.embedded.moto.patches.dynamodb import ATOMIC_WRITES

    request.getfixturevalue("moto_tables")
    # In-process moto applies a conditional write as check-then-set without a lock; DynamoDB is atomic.
    with PATCHES.applied(ATOMIC_WRITES.name):  # the registry restores moto when the test ends
        yield DynamoAppointments()


def booking(
    customer_id: str = "cust-1",
    *,
    slot_id: str = SLOT_ID,
    start: datetime = START,
    turn_id: str = "turn-1",
    **appointment: Any,
) -> Booking:
    return Booking(
        appointment=Appointment(
            appointment_id=appointment.pop("appointment_id", f"appt-{customer_id}-{turn_id}"),
            kind=appointment.pop("kind", "service"),
            slot=Slot(slot_id=slot_id, dealer_id="dlr-harbor", start=start, bay=appointment.pop("bay", "Bay 1")),
            status="booked",
            **appointment,
        ),
        customer_id=customer_id,
        conversation_id=f"conv-{customer_id}",
        turn_id=turn_id,
        booked_at=datetime(2026, 6, 8, 15, 0, tzinfo=UTC),
    )


def test_a_free_slot_is_held_and_reads_back_as_booked(appointments: Appointments) -> None:
    wanted = booking(service_type="oil_change", vin="5ARAX1E23MH000126", model="Aster")
    assert appointments.get(SLOT_ID) is None
    assert appointments.hold(wanted) == wanted
    stored = appointments.get(SLOT_ID)
    assert stored == wanted
    assert stored is not None and stored.appointment.slot.start.utcoffset() == timedelta(hours=-7)  # local time kept
    bare = booking("cust-2", slot_id="test_drive#dlr-harbor#2026-06-12T09:00#1", kind="test_drive", bay=None)
    assert appointments.hold(bare) == bare
    assert appointments.get(bare.slot_id) == bare


def test_two_customers_racing_for_one_slot_exactly_one_holds_it(appointments: Appointments) -> None:
    racers = 8
    start = threading.Barrier(racers)

    def race(n: int) -> Booking | None:
        start.wait()
        return appointments.hold(booking(f"cust-{n}"))

    with ThreadPoolExecutor(max_workers=racers) as pool:
        results = list(pool.map(race, range(racers)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert appointments.get(SLOT_ID) == winners[0]


def test_a_slot_held_by_another_customer_is_refused_and_unchanged(appointments: Appointments) -> None:
    first = booking("cust-1")
    appointments.hold(first)
    assert appointments.hold(booking("cust-2")) is None
    assert appointments.get(SLOT_ID) == first


def test_a_retried_hold_by_the_same_customer_succeeds_with_what_they_hold(appointments: Appointments) -> None:
    first = booking("cust-1", service_type="oil_change")
    assert appointments.hold(first) == first
    assert appointments.hold(first) == first  # the same turn, retried
    later = booking("cust-1", turn_id="turn-2", service_type="brake_inspection")
    assert appointments.hold(later) == first  # a button pressed twice: their booking, unchanged
    assert appointments.get(SLOT_ID) == first


def test_release_frees_only_the_appointment_named(appointments: Appointments) -> None:
    held = booking("cust-1")
    appointments.hold(held)
    assert appointments.release(SLOT_ID, "appt-someone-else") is False
    assert appointments.get(SLOT_ID) == held
    assert appointments.release(SLOT_ID, held.appointment.appointment_id) is True
    assert appointments.get(SLOT_ID) is None
    assert appointments.release(SLOT_ID, held.appointment.appointment_id) is False  # a retry frees nothing
    # Free again: a later booking is not released by the old appointment's id.
    later = booking("cust-2")
    assert appointments.hold(later) == later
    assert appointments.release(SLOT_ID, held.appointment.appointment_id) is False
    assert appointments.get(SLOT_ID) == later


def test_held_tells_which_slots_are_taken_across_many(appointments: Appointments) -> None:
    ids = [
        f"service#dlr-harbor#2026-06-{day:02d}T{hour:02d}:00#{bay}"
        for day in (9, 10)
        for hour in range(8, 16)
        for bay in range(1, 9)
    ]
    assert len(ids) > 100
    taken = {ids[0], ids[57], ids[-1]}
    for n, slot_id in enumerate(sorted(taken)):
        appointments.hold(booking(f"cust-{n}", slot_id=slot_id))
    assert appointments.held(ids) == taken
    assert appointments.held([ids[0], ids[0], ids[1]]) == {ids[0]}
    assert appointments.held([]) == set()


def test_a_customers_bookings_soonest_first_and_from_a_time(appointments: Appointments) -> None:
    days = [START + timedelta(days=d) for d in (3, 0, 1)]
    mine = [booking("cust-1", slot_id=f"service#dlr-harbor#{d:%Y-%m-%dT%H:%M}#1", start=d) for d in days]
    for held in mine:
        appointments.hold(held)
    appointments.hold(booking("cust-2", slot_id="service#dlr-harbor#2026-06-13T09:00#2", start=days[2]))
    soonest_first = sorted(mine, key=lambda b: b.appointment.slot.start)
    assert appointments.of_customer("cust-1") == soonest_first
    # Inclusive, compared as instants (the index keeps UTC): 16:00 UTC is 09:00 in Los Angeles.
    assert (
        appointments.of_customer("cust-1", starting_from=datetime(2026, 6, 13, 16, 0, tzinfo=UTC)) == soonest_first[1:]
    )
    assert appointments.of_customer("cust-nobody") == []


def _slot(day: int) -> tuple[str, datetime]:
    start = START + timedelta(days=day)
    return f"service#dlr-harbor#{start:%Y-%m-%dT%H:%M}#1", start


def test_a_limited_hold_is_refused_past_the_limit_naming_the_open_bookings(appointments: Appointments) -> None:
    def at_most_two(open_bookings: list[Booking]) -> bool:
        return len(open_bookings) < 2

    held = []
    for day in range(2):
        slot_id, start = _slot(day)
        held.append(appointments.hold(booking(slot_id=slot_id, start=start, turn_id=f"t{day}"), within=at_most_two))
    slot_id, start = _slot(5)
    with pytest.raises(OverLimit) as refused:
        appointments.hold(booking(slot_id=slot_id, start=start, turn_id="t5"), within=at_most_two)
    assert refused.value.open == held
    assert appointments.get(slot_id) is None
    # A retry of a hold that landed is still theirs; a released booking no longer counts.
    assert appointments.hold(held[0], within=at_most_two) == held[0]
    first = held[0]
    assert first is not None and appointments.release(first.slot_id, first.appointment.appointment_id)
    later = booking(slot_id=slot_id, start=start, turn_id="t5")
    assert appointments.hold(later, within=at_most_two) == later


def test_concurrent_limited_holds_of_one_customer_never_exceed_the_limit(appointments: Appointments) -> None:
    racers = 8
    barrier = threading.Barrier(racers)

    def race(n: int) -> Booking | None:
        slot_id, start = _slot(n)
        barrier.wait()
        try:
            return appointments.hold(
                booking(slot_id=slot_id, start=start, turn_id=f"t{n}"), within=lambda open_: len(open_) < 3
            )
        except OverLimit:
            return None

    with ThreadPoolExecutor(max_workers=racers) as pool:
        results = list(pool.map(race, range(racers)))
    assert len([r for r in results if r is not None]) == 3
    assert len(appointments.of_customer("cust-1")) == 3
