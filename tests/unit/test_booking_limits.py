"""Defect 7 of issue 14: one customer booked 12 slots with crafted "Book slot" messages. Open appointments
are capped (aicc.agents.booking_limits); at the cap the customer is told which appointments count and
offered to move one; test drives count apart from services."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from aicc.agents.booking_limits import SERVICE_PER_CUSTOMER, SERVICE_PER_VEHICLE, TEST_DRIVES_PER_CUSTOMER
from aicc.agents.compose import ComposedReply, _servicing
from aicc.agents.servicing import book_action
from tests.servicing_chat import Chat, World, memory_world


@pytest.fixture
def world() -> World:
    return memory_world()


def harbor_slot(hour: int, kind: str = "service") -> str:
    return f"{kind}#dlr-harbor#2026-06-12T{hour:02d}:00#1"


def test_crafted_book_slot_messages_stop_at_the_cap_and_the_reply_names_the_bookings(world: World) -> None:
    chat = Chat(world, "cust-harbor")  # no car on file: only the per-customer cap applies
    for hour in range(9, 9 + SERVICE_PER_CUSTOMER):
        assert chat.say(book_action(harbor_slot(hour)), "service_booking").action == "booked"
    refused = chat.say(book_action(harbor_slot(14)), "service_booking")
    assert refused.action == "needs_info" and refused.missing == ["appointment"]
    assert [s.slot_id for s in refused.slots] == [harbor_slot(h) for h in range(9, 9 + SERVICE_PER_CUSTOMER)]
    assert world.held(harbor_slot(14)) is None
    assert len(world.appointments.of_customer("cust-harbor")) == SERVICE_PER_CUSTOMER
    [said] = _servicing(refused, ComposedReply(text=""))
    assert f"You already have {SERVICE_PER_CUSTOMER} upcoming" in said and "move one of them" in said
    assert "Fri 12 Jun" in said or "Friday" in said

    # Taking up the offer moves one of them: still four, one of them at a new time.
    offered = chat.say("the first one")
    assert offered.action == "slots_offered"
    moved = chat.say("the first one")
    assert moved.action == "rescheduled"
    held = world.appointments.of_customer("cust-harbor")
    assert len(held) == SERVICE_PER_CUSTOMER and harbor_slot(9) not in {b.slot_id for b in held}

    # Test drives are counted apart.
    drive = chat.say(book_action(harbor_slot(15, "test_drive")), "test_drive")
    assert drive.action == "booked"


def test_one_car_holds_at_most_two_open_service_appointments(world: World) -> None:
    chat = Chat(world, "cust-north")  # one car on file: its bookings are for it
    for day in range(SERVICE_PER_VEHICLE):
        assert chat.say(book_action(f"service#dlr-north#2026-06-1{day}T09:00#1"), "service_booking").action == "booked"
    refused = chat.say(book_action("service#dlr-north#2026-06-12T09:00#1"), "service_booking")
    assert refused.action == "needs_info" and refused.notices == [f"limit:vehicle:{SERVICE_PER_VEHICLE}"]
    [said] = _servicing(refused, ComposedReply(text=""))
    assert "for this car" in said


def test_concurrent_crafted_bookings_cannot_pass_the_cap(world: World) -> None:
    def book(n: int) -> str:
        slot_id = f"test_drive#dlr-harbor#2026-06-1{n}T10:00#1" if n < 10 else harbor_slot(n)
        return Chat(world, "cust-harbor").say(book_action(slot_id), "test_drive").action

    with ThreadPoolExecutor(max_workers=8) as pool:
        actions = list(pool.map(book, range(8)))
    assert actions.count("booked") == TEST_DRIVES_PER_CUSTOMER
    assert len(world.appointments.of_customer("cust-harbor")) == TEST_DRIVES_PER_CUSTOMER
