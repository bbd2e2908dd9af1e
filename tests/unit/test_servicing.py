"""Interactive servicing on in-memory adapters: multi-turn slot filling, booking, races lost, moves and
cancellations. The same turns on DynamoDB (moto): tests/integration/test_servicing_dynamodb.py."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aicc.adapters.memory.appointments import MemoryAppointments
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.adapters.memory.flows import MemoryFlows
from aicc.agents.servicing import book_action, cancel_action
from aicc.agents.slots import LEAD_TIME, SlotRef, opening_hours, parse_slot_id, slot_starts
from aicc.data.reference import dealer_uri
from tests.servicing_chat import CUSTOMERS, FRIDAY, NOW, Chat, World, local


@pytest.fixture
def world() -> World:
    flows = MemoryFlows()
    return World(
        appointments=MemoryAppointments(),
        flows=flows,
        customers=MemoryCustomers(CUSTOMERS),
        open_conversation=flows.open,
    )


def holder(world: World, slot_id: str) -> str | None:
    booking = world.held(slot_id)
    return booking.customer_id if booking is not None else None


# --- the calendar ----------------------------------------------------------------------------------------


def test_slots_skip_closed_days_past_times_and_the_lead_time() -> None:
    starts = slot_starts("dlr-north", now=NOW)
    assert starts[0].isoformat() == "2026-06-08T10:00:00-07:00"  # 08:00 now + 2 h lead time
    assert all(s >= NOW + LEAD_TIME for s in starts)
    assert all(s.weekday() != 6 for s in starts)  # North Hills is closed on Sundays
    for start in starts:
        hours = opening_hours("dlr-north", start.date())
        assert hours is not None
        opens, closes = hours
        assert opens <= start.time() and (start + timedelta(hours=1)).time() <= closes
    saturday = [s for s in starts if s.weekday() == 5]
    assert {s.hour for s in saturday} == {9, 10, 11, 12, 13, 14}  # sat 09:00-15:00
    # Harbor City opens at 07:30: slots run on whole hours, so "at 9" always names one.
    assert {s.minute for s in slot_starts("dlr-harbor", now=NOW)} == {0}


def test_slot_ids_are_stable_and_validated() -> None:
    ref = SlotRef(datetime.fromisoformat("2026-06-12T09:00:00-07:00"), 3, "service", "dlr-harbor")
    assert ref.slot_id == "service#dlr-harbor#2026-06-12T09:00#3"
    assert parse_slot_id(ref.slot_id) == ref
    assert ref.to_slot().bay == "Bay 3"
    assert parse_slot_id("service#dlr-nowhere#2026-06-12T09:00#1") is None
    assert parse_slot_id("service#dlr-harbor#2026-06-12T09:00#9") is None  # Harbor City has 8 bays
    assert parse_slot_id("test_drive#dlr-lakeside#2026-06-12T09:00#2") is None  # one salesperson
    assert book_action(ref.slot_id) == "Book slot service#dlr-harbor#2026-06-12T09:00#3"
    assert cancel_action(ref.slot_id) == "Cancel booking service#dlr-harbor#2026-06-12T09:00#3"


def test_closed_days_and_past_times_are_never_offered(world: World) -> None:
    chat = Chat(world, "cust-north")
    sunday = chat.say("I need an oil change on Sunday", "service_booking")
    assert sunday.action == "slots_offered"
    assert [local(s.start).isoformat() for s in sunday.slots] == [
        "2026-06-15T08:00:00-07:00",  # closed on Sunday: the next open morning instead
        "2026-06-15T09:00:00-07:00",
        "2026-06-15T10:00:00-07:00",
    ]
    past = Chat(world, "cust-north").say("Can I get an oil change today at 8am?", "service_booking")
    assert past.slots and all(s.start >= NOW + LEAD_TIME for s in past.slots)
    stale = Chat(world, "cust-north").say("Book slot service#dlr-north#2026-06-08T08:00#1", "service_booking")
    assert stale.action == "unavailable"  # a button from an old reply: that hour is too soon now
    assert world.held("service#dlr-north#2026-06-08T08:00#1") is None


# --- booking ---------------------------------------------------------------------------------------------


def test_booking_over_three_turns(world: World) -> None:
    chat = Chat(world, "cust-north")

    first = chat.say("I need an oil change", "service_booking")
    assert first.action == "slots_offered" and first.kind == "service"
    assert [s.dealer_id for s in first.slots] == ["dlr-north"] * 3  # the preferred dealer by default
    assert [local(s.start).hour for s in first.slots] == [10, 11, 12]
    assert first.sources[0].uri == dealer_uri("dlr-north")
    assert chat.flow() == "servicing"

    second = chat.say("at Harbor City on Friday morning")  # a follow-up: whatever intent, the flow brings it here
    assert second.action == "slots_offered"
    assert {s.dealer_id for s in second.slots} == {"dlr-harbor"}
    assert [(local(s.start).date(), s.start.hour) for s in second.slots] == [(FRIDAY, 8), (FRIDAY, 9), (FRIDAY, 10)]
    assert chat.state().offered == [s.slot_id for s in second.slots]

    third = chat.say("the second one")
    assert third.action == "booked"
    appointment = third.appointment
    assert appointment is not None and appointment.status == "booked"
    assert appointment.slot == second.slots[1]
    assert (appointment.service_type, appointment.vin, appointment.model) == (
        "oil_change",
        "5ARAX1E23MH000126",
        "Aster",
    )
    assert chat.flow() is None
    assert chat.state().status == "booked"

    booking = world.held(second.slots[1].slot_id)
    assert booking is not None
    assert booking.customer_id == "cust-north"
    assert booking.conversation_id == chat.conversation_id
    assert booking.appointment == appointment
    assert booking.appointment.slot.start == datetime(2026, 6, 12, 16, 0, tzinfo=UTC)


def test_booking_from_the_quick_action_text(world: World) -> None:
    chat = Chat(world, "cust-harbor")
    offered = chat.say("I'd like to book a tire rotation next Tuesday", "service_booking")
    assert offered.action == "slots_offered"
    slot = offered.slots[2]
    booked = chat.say(book_action(slot.slot_id), "service_booking")
    assert booked.action == "booked"
    assert booked.appointment is not None and booked.appointment.slot == slot
    assert booked.appointment.service_type == "tire_rotation"
    assert chat.flow() is None


def test_free_text_day_and_hour_books_that_hour(world: World) -> None:
    chat = Chat(world, "cust-north")
    chat.say("My car needs its scheduled maintenance", "service_booking")
    booked = chat.say("Tuesday at 9 works for me")
    assert booked.action == "booked" and booked.appointment is not None
    assert local(booked.appointment.slot.start).isoformat() == "2026-06-09T09:00:00-07:00"

    again = Chat(world, "cust-north")
    again.say("I need a brake inspection on Wednesday", "service_booking")
    at_nine = again.say("9am works")  # the day was already named: that hour on that day
    assert at_nine.action == "booked" and at_nine.appointment is not None
    assert local(at_nine.appointment.slot.start).isoformat() == "2026-06-10T09:00:00-07:00"


def test_a_taken_slot_is_refused_and_the_next_free_ones_offered(world: World) -> None:
    first = Chat(world, "cust-harbor")
    slot_id = "service#dlr-harbor#2026-06-12T09:00#1"
    assert first.say(book_action(slot_id), "service_booking").action == "booked"

    second = Chat(world, "cust-north")
    refused = second.say(book_action(slot_id), "service_booking")
    assert refused.action == "unavailable"
    assert refused.slots and slot_id not in [s.slot_id for s in refused.slots]
    # The same hour in another bay comes first: the customer cares about the time, not the bay.
    assert refused.slots[0].slot_id == "service#dlr-harbor#2026-06-12T09:00#2"
    assert second.flow() == "servicing"
    assert holder(world, slot_id) == "cust-harbor"

    taken = second.say("the first one")
    assert taken.action == "booked" and taken.appointment is not None
    assert taken.appointment.slot.slot_id == "service#dlr-harbor#2026-06-12T09:00#2"


def test_free_slots_leave_out_held_ones(world: World) -> None:
    # Every bay at North Hills is held at 10:00 and 11:00 today: the offer starts at 12:00.
    for hour in (10, 11):
        for bay in range(1, 7):
            Chat(world, f"cust-{hour}-{bay}").say(
                book_action(f"service#dlr-north#2026-06-08T{hour}:00#{bay}"), "service_booking"
            )
    offered = Chat(world, "cust-north").say("I need an oil change", "service_booking")
    assert [local(s.start).hour for s in offered.slots] == [12, 13, 14]


class CrashingFlows:
    """Flows whose save fails: the Lambda timed out after the booking, before the flow was stored."""

    def __init__(self, inner: MemoryFlows) -> None:
        self.inner = inner
        self.load = inner.load

    def save(self, conversation_id: str, flow: str, state: Mapping[str, Any], **_: Any) -> None:
        raise RuntimeError("Lambda timed out after the booking, before the flow was stored")


def test_a_turn_retried_after_a_crash_keeps_its_booking(world: World) -> None:
    chat = Chat(world, "cust-north")
    offered = chat.say("I need an oil change", "service_booking")
    stored = world.flows
    assert isinstance(stored, MemoryFlows)
    world.flows = CrashingFlows(stored)
    with pytest.raises(RuntimeError):
        chat.say("the first one", turn_id="turn-retried")
    assert world.held(offered.slots[0].slot_id) is not None
    world.flows = stored

    retried = chat.say("the first one", turn_id="turn-retried")
    assert retried.action == "booked" and retried.appointment is not None
    assert retried.appointment.slot == offered.slots[0]
    assert chat.flow() is None

    # The same button pressed again in a later turn: still the customer's one booking, not "taken".
    pressed_twice = chat.say(book_action(offered.slots[0].slot_id), "service_booking")
    assert pressed_twice.action == "booked" and pressed_twice.appointment == retried.appointment


# --- reschedule and cancel -------------------------------------------------------------------------------


def test_reschedule_books_the_new_slot_then_frees_the_old_one(world: World) -> None:
    booking = Chat(world, "cust-north")
    booking.say("I need an oil change", "service_booking")
    original = booking.say("the first one").appointment
    assert original is not None

    chat = Chat(world, "cust-north")  # another day, another conversation
    offered = chat.say("Can you move my appointment to Friday afternoon?", "service_booking")
    assert offered.action == "slots_offered"
    assert all(local(s.start).date() == FRIDAY and s.start.hour >= 12 for s in offered.slots)
    assert chat.state().rescheduling == {
        "slot_id": original.slot.slot_id,
        "appointment_id": original.appointment_id,
    }

    moved = chat.say("the first one")
    assert moved.action == "rescheduled"
    assert moved.appointment is not None and moved.appointment.slot == offered.slots[0]
    assert moved.appointment.service_type == "oil_change"
    assert world.held(original.slot.slot_id) is None
    assert holder(world, offered.slots[0].slot_id) == "cust-north"
    assert chat.flow() is None


def test_cancel_frees_the_slot_and_keeps_a_record(world: World) -> None:
    chat = Chat(world, "cust-harbor")
    chat.say("I need an oil change", "service_booking")
    booked = chat.say("the third one").appointment
    assert booked is not None

    asked = chat.say("Please cancel my service appointment", "service_booking")
    assert asked.action == "needs_info" and asked.missing == ["confirm_cancel"]  # asked first, nothing freed yet
    assert asked.appointment == booked and world.held(booked.slot.slot_id) is not None
    cancelled = chat.say("yes please")
    assert cancelled.action == "cancelled"
    assert cancelled.appointment is not None
    assert cancelled.appointment.appointment_id == booked.appointment_id
    assert cancelled.appointment.status == "cancelled"
    assert world.held(booked.slot.slot_id) is None
    record = chat.state().cancellations[-1]
    assert record["appointment_id"] == booked.appointment_id and record["slot_id"] == booked.slot.slot_id
    assert chat.flow() is None

    # Free again: someone else can have it.
    other = Chat(world, "cust-north").say(book_action(booked.slot.slot_id), "service_booking")
    assert other.action == "booked"

    # The cancel button pressed again says it is cancelled, and frees nothing of the new owner's.
    again = chat.say(cancel_action(booked.slot.slot_id), "service_booking")
    assert again.action == "cancelled"
    assert holder(world, booked.slot.slot_id) == "cust-north"


def test_cancel_with_several_appointments_asks_which(world: World) -> None:
    chat = Chat(world, "cust-harbor")
    for slot_id in ("service#dlr-harbor#2026-06-10T09:00#1", "service#dlr-harbor#2026-06-11T09:00#1"):
        assert chat.say(book_action(slot_id), "service_booking").action == "booked"
    asked = chat.say("I need to cancel my appointment", "service_booking")
    assert asked.action == "needs_info" and asked.missing == ["appointment"]
    assert [s.slot_id for s in asked.slots] == [
        "service#dlr-harbor#2026-06-10T09:00#1",
        "service#dlr-harbor#2026-06-11T09:00#1",
    ]
    confirming = chat.say("the second one")
    assert confirming.missing == ["confirm_cancel"] and world.held("service#dlr-harbor#2026-06-11T09:00#1")
    cancelled = chat.say("yes")
    assert cancelled.action == "cancelled" and cancelled.appointment is not None
    assert cancelled.appointment.slot.slot_id == "service#dlr-harbor#2026-06-11T09:00#1"
    assert world.held("service#dlr-harbor#2026-06-10T09:00#1") is not None


def test_nothing_to_cancel_or_move(world: World) -> None:
    chat = Chat(world, "cust-north")
    nothing = chat.say("cancel my service appointment", "service_booking")
    assert nothing.action == "unavailable" and nothing.missing == ["appointment"]
    assert chat.say("reschedule my appointment please", "service_booking").missing == ["appointment"]
    assert chat.flow() is None


def test_cancel_while_arranging_drops_the_request_not_an_older_booking(world: World) -> None:
    chat = Chat(world, "cust-harbor")
    assert chat.say(book_action("service#dlr-harbor#2026-06-10T09:00#1"), "service_booking").action == "booked"
    chat.say("I also need a wheel alignment", "service_booking")
    dropped = chat.say("actually cancel that")
    assert dropped.action == "cancelled" and dropped.appointment is None
    assert world.held("service#dlr-harbor#2026-06-10T09:00#1") is not None
    assert chat.flow() is None


# --- test drives, missing information, abandoning ----------------------------------------------------------


def test_test_drive_flow(world: World) -> None:
    chat = Chat(world, "cust-harbor")
    asked = chat.say("I'd like to book a test drive", "test_drive")
    assert asked.action == "needs_info" and asked.kind == "test_drive" and asked.missing == ["model"]
    assert chat.flow() == "servicing"

    offered = chat.say("The Cirrus, on Saturday")
    assert offered.action == "slots_offered" and offered.kind == "test_drive"
    assert [s.bay for s in offered.slots] == ["Priya Shah"] * 3  # the first free salesperson at each hour
    assert all(local(s.start).weekday() == 5 for s in offered.slots)
    assert all(s.slot_id.startswith("test_drive#dlr-harbor#") for s in offered.slots)

    booked = chat.say("the third one")
    assert booked.action == "booked" and booked.appointment is not None
    assert (booked.appointment.kind, booked.appointment.model, booked.appointment.service_type) == (
        "test_drive",
        "Cirrus",
        None,
    )
    assert chat.flow() is None


def test_dealer_is_asked_for_when_there_is_no_preferred_one(world: World) -> None:
    chat = Chat(world, "cust-nowhere")
    asked = chat.say("I need an oil change", "service_booking")
    assert asked.action == "needs_info" and asked.missing == ["dealer"]
    assert {s.uri for s in asked.sources} == {dealer_uri(d) for d in ("dlr-north", "dlr-harbor", "dlr-lakeside")}
    offered = chat.say("Lakeside please")
    assert offered.action == "slots_offered" and {s.dealer_id for s in offered.slots} == {"dlr-lakeside"}
    assert [s.uri for s in offered.sources] == [dealer_uri("dlr-lakeside")]


def test_side_questions_and_acknowledgements_keep_the_flow_waiting(world: World) -> None:
    # Was: two follow-ups with nothing usable ended the flow ("I've stopped arranging that booking").
    # Issue 13: a side question is answered by the other agents and the booking waits; only a clear
    # request ends it.
    chat = Chat(world, "cust-north")
    offered = chat.say("I need an oil change", "service_booking")
    aside = chat.say("what does my warranty cover?", "warranty_inquiry")
    assert aside.relevant is False and aside.action == "none"  # nothing to add: the warranty answer leads
    assert chat.say("and does it include brakes?", "warranty_inquiry").relevant is False
    for ack in ("ok", "great, thanks!", "thanks", "hmm"):
        reminded = chat.say(ack, "greeting")
        assert reminded.action == "needs_info" and reminded.missing == ["slot"]
        assert reminded.slots == offered.slots
    assert chat.flow() == "servicing" and chat.state().status == "active"
    booked = chat.say("the first one")
    assert booked.action == "booked" and booked.appointment is not None
    assert booked.appointment.slot == offered.slots[0]


def test_a_follow_up_after_the_flow_ended_starts_nothing(world: World) -> None:
    chat = Chat(world, "cust-north")
    late = chat.say("the second one", "other")  # e.g. a stale meta.flow
    assert late.action == "needs_info" and late.missing == ["kind"]
    assert chat.flow() is None


def test_no_meta_item_is_ever_created(world: World) -> None:
    flows = world.flows
    assert isinstance(flows, MemoryFlows)
    world.open_conversation = lambda conversation_id, owner: None  # a conversation with no META record
    chat = Chat(world, "cust-north")
    assert chat.say("I need an oil change", "service_booking").action == "slots_offered"
    loaded = flows.load(chat.conversation_id, "servicing")
    assert (loaded.owner, loaded.flag) == (None, None)
    assert loaded.state is not None and loaded.state["status"] == "active"


def test_concurrent_bookings_of_one_slot_give_exactly_one_appointment(world: World) -> None:
    slot_id = "service#dlr-harbor#2026-06-12T09:00#1"
    racers = 12
    chats = [Chat(world, "cust-harbor" if n == 0 else f"cust-race-{n}") for n in range(racers)]
    start = threading.Barrier(racers)

    def book(chat: Chat) -> Any:
        start.wait()
        return chat.say(book_action(slot_id), "service_booking")

    with ThreadPoolExecutor(max_workers=racers) as pool:
        results = list(pool.map(book, chats))
    booked = [r for r in results if r.action == "booked"]
    assert len(booked) == 1 and booked[0].appointment is not None
    assert all(
        r.action == "unavailable" and slot_id not in [s.slot_id for s in r.slots] for r in results if r not in booked
    )
    assert holder(world, slot_id) == booked[0].meta.customer_id
