"""The dialog suite's fixture: what a conversation booked is cancelled at its end, so the next
conversation of the same demo customer starts clean and meets no cap it did not reach itself."""

from __future__ import annotations

from aicc.agents.booking_limits import SERVICE_PER_VEHICLE
from aicc.agents.servicing import book_action
from aicc.dialogs.fixtures import release_bookings
from tests.servicing_chat import Chat, memory_world


def slot(day: int) -> str:
    return f"service#dlr-north#2026-06-{day:02d}T09:00#1"


def test_a_conversation_after_one_that_booked_to_the_cap_can_book_again() -> None:
    world = memory_world()
    earlier = Chat(world, "cust-north")  # one car on file: the per-vehicle cap applies
    for day in range(10, 10 + SERVICE_PER_VEHICLE):
        assert earlier.say(book_action(slot(day)), "service_booking").action == "booked"
    uncleaned = Chat(world, "cust-north")
    assert uncleaned.say(book_action(slot(15)), "service_booking").action == "needs_info"  # the cap

    assert release_bookings(world.appointments, "cust-north", earlier.conversation_id) == SERVICE_PER_VEHICLE
    assert Chat(world, "cust-north").say(book_action(slot(16)), "service_booking").action == "booked"


def test_only_the_conversations_own_bookings_are_released() -> None:
    world = memory_world()
    mine, other = Chat(world, "cust-north"), Chat(world, "cust-harbor")
    assert mine.say(book_action(slot(10)), "service_booking").action == "booked"
    assert other.say(book_action(slot(11)), "service_booking").action == "booked"
    assert release_bookings(world.appointments, "cust-north", other.conversation_id) == 0
    assert release_bookings(world.appointments, "cust-harbor", other.conversation_id) == 1
    assert [b.slot_id for b in world.appointments.of_customer("cust-north")] == [slot(10)]
    assert world.appointments.of_customer("cust-harbor") == []
    assert release_bookings(world.appointments, "cust-harbor", other.conversation_id) == 0  # again: nothing
