"""Interactive servicing on in-memory adapters: multi-turn slot filling, booking, races lost, moves and
cancellations. The same turns on DynamoDB (moto): tests/integration/test_servicing_dynamodb.py."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aicc.adapters.memory.appointments import MemoryAppointments
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.adapters.memory.flows import MemoryFlows
from aicc.agents.routing import decide
from aicc.agents.servicing import book_action, cancel_action, manages_booking, nothing_to_add
from aicc.agents.slots import LEAD_TIME, SlotRef, booking_reference, opening_hours, parse_slot_id, slot_starts
from aicc.data.reference import dealer_uri
from contracts.events import ConversationReceived, EventMeta, IntentDetected, SentimentAnalyzed
from tests.servicing_chat import FRIDAY, NOW, Chat, World, local, memory_world, seen


@pytest.fixture
def world() -> World:
    return memory_world()


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
    # The warranty answer leads; the reply then offers the same times again, nothing is booked.
    assert aside.action == "none" and aside.missing == ["resume"] and aside.slots == offered.slots
    assert chat.say("and does it include brakes?", "warranty_inquiry").missing == ["resume"]
    # A price question in words the flow would read as a booking ("a tire rotation") is a side question too.
    priced = chat.say("how much is a tire rotation btw", "service_booking")
    assert priced.action == "none" and priced.missing == ["resume"] and chat.state().service_type == "oil_change"
    assert chat.say("what time do you close on saturdays?", "other").missing == ["resume"]
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


# --- dialogs with the demo customers (aicc/data/customers.json), as the customer sees them ------------------
# NOW is Monday 8 June 2026, 08:00 in California. Lakeside: Mon-Fri 08:00-17:30, Sat 09:00-13:00, closed on
# Sundays; North Hills: Mon-Fri 08:00-18:00, Sat 09:00-15:00; Harbor City: Mon-Fri 07:30-19:00.

REFERENCE = re.compile(r"\b(?:NOR|HAR|LAK)-[0-9A-HJKMNP-TV-Z]{4}\b")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def demo() -> World:
    flows = MemoryFlows()
    customers = json.loads((Path(__file__).parents[2] / "aicc" / "data" / "customers.json").read_text())
    return World(
        appointments=MemoryAppointments(),
        flows=flows,
        customers=MemoryCustomers(customers),
        open_conversation=flows.open,
    )


@pytest.fixture
def uncapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """These dialogs book one car many times to check the words; the cap has its own tests
    (tests/unit/test_booking_limits.py)."""
    monkeypatch.setattr("aicc.agents.booking_limits.SERVICE_PER_VEHICLE", 10)
    monkeypatch.setattr("aicc.agents.booking_limits.SERVICE_PER_CUSTOMER", 10)


def when(result: Any) -> list[str]:
    """The offered slots as the customer reads them: day and hour, dealer-local."""
    return [f"{local(s.start):%a %d %H:%M}" for s in result.slots]


def booked_at(result: Any) -> str:
    assert result.action == "booked" and result.appointment is not None, seen(result).text
    return f"{local(result.appointment.slot.start):%a %d %H:%M}"


def test_choosing_a_slot_in_words(demo: World, uncapped: None) -> None:
    sofia = Chat(demo, "cust-0003")  # Sofia Rossi, 2024 Aster, North Hills
    offered = sofia.say("I need an oil change", "service_booking")
    assert when(offered) == ["Mon 08 10:00", "Mon 08 11:00", "Mon 08 12:00"]
    assert booked_at(sofia.say("the earliest one works for me", "complaint")) == "Mon 08 10:00"

    latest = Chat(demo, "cust-0003")
    latest.say("can i get a tire rotation on friday", "service_booking")
    assert booked_at(latest.say("latest one u have", "greeting")) == "Fri 12 17:00"  # North Hills closes at 18:00

    first = Chat(demo, "cust-0003")
    shown = first.say("I'd like to book a brake inspection thursday morning", "service_booking")
    assert when(shown) == ["Thu 11 08:00", "Thu 11 09:00", "Thu 11 10:00"]
    assert booked_at(first.say("ok the first of those pls", "vehicle_feature_help")) == "Thu 11 08:00"

    nine = Chat(demo, "cust-0003")
    assert when(nine.say("oil change at 9am", "service_booking")) == ["Tue 09 09:00", "Wed 10 09:00", "Thu 11 09:00"]
    assert booked_at(nine.say("the latest one")) == "Thu 11 09:00"  # of those shown

    last = Chat(demo, "cust-0003")
    last.say("I'd like to book a brake inspection thursday morning", "service_booking")
    assert booked_at(last.say("I'll take the last one")) == "Thu 11 10:00"


def test_booking_by_a_rule_books_on_the_day_asked(demo: World, uncapped: None) -> None:
    liam = Chat(demo, "cust-0002")  # Liam Garcia, Borealis LX, Lakeside
    assert booked_at(liam.say("book me the earliest wednesday slot", "service_booking")) == "Wed 10 08:00"

    nearest = Chat(demo, "cust-0002")
    nearest.say("oil change on tuesday please", "service_booking")
    assert booked_at(nearest.say("closest to 3pm")) == "Tue 09 15:00"

    question = Chat(demo, "cust-0002")
    shown = question.say("what's the earliest you have on friday for an oil change?", "service_booking")
    assert when(shown) == ["Fri 12 08:00"] and demo.held(shown.slots[0].slot_id) is None  # asked, not booked
    assert booked_at(question.say("yes please")) == "Fri 12 08:00"

    offered_then_nearest = Chat(demo, "cust-0002")
    offered_then_nearest.say("I need an oil change", "service_booking")  # today's slots: 10, 11, 12
    assert booked_at(offered_then_nearest.say("whichever is closest to 4pm")) == "Mon 08 16:00"


def test_parts_of_the_day_narrow_the_offer(demo: World) -> None:
    liam = Chat(demo, "cust-0002")
    liam.say("I need an oil change on Thursday", "service_booking")
    assert when(liam.say("after lunch", "greeting")) == ["Thu 11 13:00", "Thu 11 14:00", "Thu 11 15:00"]
    assert when(liam.say("hmm, morning is better")) == ["Thu 11 08:00", "Thu 11 09:00", "Thu 11 10:00"]
    late = liam.say("after six on friday?")  # Lakeside closes at 17:30: the latest hours instead, and why
    assert when(late) == ["Fri 12 16:00", "Fri 12 15:00", "Fri 12 14:00"]
    assert "Lakeside is open 08:00-17:30 on Fridays" in seen(late).text
    assert booked_at(liam.say("ok the 4pm one")) == "Fri 12 16:00"
    liam.say("I need another oil change on Monday the 15th", "service_booking")
    assert booked_at(liam.say("the morning one at 9 then")) == "Mon 15 09:00"


def test_book_it_takes_the_one_just_asked_about_and_only_that(demo: World) -> None:
    noah = Chat(demo, "cust-0004")  # Noah Williams, Cirrus, Harbor City
    noah.say("I need a tire rotation", "service_booking")
    asked = noah.say("do you have thursday at 3?")
    assert when(asked)[0] == "Thu 11 15:00" and asked.action == "slots_offered"  # a question: shown, not booked
    assert demo.held(asked.slots[0].slot_id) is None
    assert booked_at(noah.say("great, book it", "service_booking")) == "Thu 11 15:00"

    several = Chat(demo, "cust-0004")
    offered = several.say("I need a tire rotation", "service_booking")
    reminded = several.say("book it", "service_booking")  # three on offer, none named: ask, book nothing
    assert reminded.action in {"needs_info", "slots_offered"} and reminded.slots == offered.slots
    assert all(demo.held(s.slot_id) is None for s in offered.slots)


def test_yes_ok_and_thanks_never_end_or_cancel_anything(demo: World) -> None:
    mateo = Chat(demo, "cust-0008")  # Mateo Hernandez, Cirrus Long Range, Lakeside
    offered = mateo.say("I need a tire rotation next tuesday", "service_booking")
    for text in ("ok", "yes", "great, thanks!", "thanks", "ok"):
        result = mateo.say(text, "greeting")
        assert result.action != "cancelled" and result.slots == offered.slots
        assert "stopped arranging" not in seen(result).text
    assert mateo.flow() == "servicing"
    booked = mateo.say("the second one")
    assert booked_at(booked) == when(offered)[1]
    after = mateo.say("thanks", "greeting")
    assert after.action != "cancelled" and seen(after).text == ""  # nothing to add once it is booked
    assert demo.held(offered.slots[1].slot_id) is not None


def test_cancelling_is_confirmed_first_and_out_of_town_is_no_emergency(demo: World) -> None:
    ava = Chat(demo, "cust-0001")  # Ava Thompson, Aster, Harbor City
    ava.say("I need an oil change on friday", "service_booking")
    booking = ava.say("the first one").appointment
    assert booking is not None

    text = "hmm actually cancel it, I'll be out of town"
    assert manages_booking(text)  # reaches servicing whatever the classifier reads (it reads roadside)
    asked = ava.say(text, "roadside_assistance")
    shown = seen(asked)
    assert asked.action == "needs_info" and demo.held(booking.slot.slot_id) is not None  # not cancelled yet
    assert "Fri 12 Jun, 07:00" not in shown.text and "Fri 12 Jun, 08:00" in shown.text
    assert "?" in shown.text and "911" not in shown.text
    assert shown.buttons["Yes, cancel it"] == cancel_action(booking.slot.slot_id)

    route = decide(
        IntentDetected(meta=asked.meta, text=text, intent="roadside_assistance", confidence=0.75, model="test"),
        SentimentAnalyzed(meta=asked.meta, label="negative", score=-0.9, urgency="medium", model="test"),
        asked.meta,
    )
    assert route.route.kind == "bot" and route.route.queue is None

    cancelled = ava.say(shown.buttons["Yes, cancel it"])
    assert cancelled.action == "cancelled" and demo.held(booking.slot.slot_id) is None
    assert "is cancelled" in seen(cancelled).text


def test_no_keeps_the_appointment(demo: World) -> None:
    sofia = Chat(demo, "cust-0003")
    booking = sofia.say(book_action("service#dlr-north#2026-06-10T09:00#1"), "service_booking").appointment
    assert booking is not None
    sofia.say("can you cancel my appointment", "service_booking")
    kept = sofia.say("no, keep it")
    assert kept.action != "cancelled" and demo.held(booking.slot.slot_id) is not None
    assert "stays booked" in seen(kept).text and sofia.flow() is None


def test_a_real_breakdown_still_goes_to_roadside(demo: World) -> None:
    meta = Chat(demo, "cust-0001").say("ok", "greeting").meta
    text = "my car broke down on the freeway, cancel my appointment"
    route = decide(
        IntentDetected(meta=meta, text=text, intent="roadside_assistance", confidence=0.9, model="test"),
        SentimentAnalyzed(meta=meta, label="negative", score=-0.8, urgency="high", model="test"),
        meta,
    )
    assert route.route.queue == "roadside" and route.route.priority == "urgent"


def test_next_weekday_next_week_and_the_14th(demo: World) -> None:
    # Said on a Monday: "this friday" is in four days, "next friday" is the Friday of next week.
    assert {when(Chat(demo, "cust-0003").say("oil change this friday", "service_booking"))[0][:6]} == {"Fri 12"}
    next_friday = Chat(demo, "cust-0003").say("oil change next friday", "service_booking")
    assert {w[:6] for w in when(next_friday)} == {"Fri 19"}
    next_week = Chat(demo, "cust-0003").say("can i bring it in next week for an oil change", "service_booking")
    assert {w[:6] for w in when(next_week)} == {"Mon 15"}  # not today's slots
    any_time = Chat(demo, "cust-0003").say("any time Friday is fine for a tire rotation", "service_booking")
    assert {w[:6] for w in when(any_time)} == {"Fri 12"}
    fourteenth = Chat(demo, "cust-0001").say("tire rotation on the 16th?", "service_booking")  # Harbor City
    assert {w[:6] for w in when(fourteenth)} == {"Tue 16"}


def test_a_closed_day_is_said_plainly(demo: World) -> None:
    liam = Chat(demo, "cust-0002")  # Lakeside is closed on Sundays
    offered = liam.say("I need an oil change on the 14th", "service_booking")
    assert {w[:6] for w in when(offered)} == {"Mon 15"}
    assert "Lakeside is closed on Sundays; the nearest open day is Monday 15 Jun." in seen(offered).text

    sunday = Chat(demo, "cust-0001").say("tire rotation sunday", "service_booking")  # Harbor City opens on Sundays
    assert {w[:6] for w in when(sunday)} == {"Sun 14"} and "closed" not in seen(sunday).text


def test_dates_are_the_dealers_dates(demo: World) -> None:
    # Sunday 22:00 in California is already Monday in UTC: "tomorrow" is Monday for the customer.
    sunday_evening = datetime(2026, 6, 8, 5, 0, tzinfo=UTC)
    offered = Chat(demo, "cust-0003").say("oil change tomorrow", "service_booking", now=sunday_evening)
    assert {w[:6] for w in when(offered)} == {"Mon 08"}


def test_a_day_ruled_out_is_never_offered_again(demo: World) -> None:
    liam = Chat(demo, "cust-0002")
    saturday = liam.say("oil change on saturday please", "service_booking")
    assert {w[:6] for w in when(saturday)} == {"Sat 13"}
    instead = liam.say("saturday wont work after all. next wednesday afternoon instead?")
    assert when(instead) == ["Wed 17 12:00", "Wed 17 13:00", "Wed 17 14:00"]
    weekend = liam.say("hmm or maybe the weekend?")  # Saturday ruled out, Sunday closed: Monday, never Saturday
    assert when(weekend) == ["Mon 15 12:00", "Mon 15 13:00", "Mon 15 14:00"]  # still in the afternoon
    assert booked_at(liam.say("the earliest one")) == "Mon 15 12:00"


def test_booking_references_are_friendly_and_stable(demo: World) -> None:
    liam = Chat(demo, "cust-0002")
    liam.say("I need an oil change", "service_booking")
    booked = liam.say("the first one")
    assert booked.appointment is not None
    text = seen(booked).text
    reference = REFERENCE.search(text)
    assert reference is not None and reference.group(0).startswith("LAK-")
    assert not UUID.search(text) and booked.appointment.appointment_id not in text
    assert booking_reference(booked.appointment.appointment_id, "dlr-lakeside") == reference.group(0)
    cancelled = liam.say(cancel_action(booked.appointment.slot.slot_id))
    assert reference.group(0) in seen(cancelled).text  # the same reference when it is cancelled


def test_several_services_in_one_booking(demo: World) -> None:
    liam = Chat(demo, "cust-0002")  # a gasoline Borealis: both apply
    liam.say("oil change + tire rotation please", "service_booking")
    booked = liam.say("the first one")
    assert booked.appointment is not None
    assert "oil change and tire rotation" in seen(booked).text

    added = Chat(demo, "cust-0002")
    added.say("I need an oil change", "service_booking")
    added.say("+ tire rotation")
    assert "oil change and tire rotation" in seen(added.say("the second one")).text


def test_no_oil_change_for_an_electric_car(demo: World) -> None:
    noah = Chat(demo, "cust-0004")  # Cirrus Standard Range: electric
    offered = noah.say("I need an oil change and a tire rotation", "service_booking")
    shown = seen(offered)
    assert "electric Cirrus" in shown.text and "Oil change isn't" in shown.text
    assert "tire rotation" in shown.text  # what the Cirrus schedule does need
    booked = noah.say("the first one")
    text = seen(booked).text
    assert "(tire rotation)" in text and "oil" not in text

    only_oil = Chat(demo, "cust-0004").say("book an oil change", "service_booking")
    assert only_oil.action == "slots_offered" and "Oil change isn't part" in seen(only_oil).text


def test_a_customer_with_two_cars_is_asked_which(demo: World) -> None:
    mia = Chat(demo, "cust-0005")  # Mia Chen: a Borealis Plug-in Hybrid and a Dune
    asked = mia.say("I need an oil change", "service_booking")
    assert asked.action == "needs_info" and not asked.slots
    assert "which of your vehicles" in seen(asked).text
    offered = mia.say("the dune")
    assert offered.action == "slots_offered"
    booked = mia.say("the first one")
    assert booked.appointment is not None and booked.appointment.vin == "5ARDX1E22RK000237"

    by_number = Chat(demo, "cust-0005")
    by_number.say("book a service", "service_booking")
    assert by_number.say("the second one").action == "slots_offered"  # her cars as listed: the Dune
    assert by_number.state().vin == "5ARDX1E22RK000237"


def test_out_of_town_after_the_booking_reaches_servicing_not_the_tow_truck(demo: World) -> None:
    ava = Chat(demo, "cust-0001")
    booking = ava.say(book_action("service#dlr-harbor#2026-06-12T09:00#1"), "service_booking").appointment
    assert booking is not None and ava.flow() is None  # booked: the flow no longer waits
    meta = EventMeta(
        turn_id="turn-out", conversation_id=ava.conversation_id, customer_id="cust-0001", causation_id="req-1",
        producer="servicing", occurred_at=NOW,
    )  # fmt: skip
    text = "hmm actually cancel it, I'll be out of town"
    received = ConversationReceived(meta=meta, text=text, client_message_id="m1", connection_id="c1")
    asked = demo.agent().respond(received, meta, now=NOW)
    assert asked.relevant and asked.missing == ["confirm_cancel"]
    assert "Yes, cancel it" in seen(asked).buttons and demo.held(booking.slot.slot_id) is not None


def test_a_day_past_the_booking_window_gets_its_last_days(demo: World) -> None:
    late = Chat(demo, "cust-0003").say("oil change on june 30th", "service_booking")  # bookable until Mon 22 Jun
    assert late.action == "slots_offered" and {w[:6] for w in when(late)} == {"Mon 22"}
    assert "not open yet" in seen(late).text and "Tuesday 30 Jun" in seen(late).text


def test_any_of_the_times_shown_leaves_the_choice_to_us(world: World) -> None:
    chat = Chat(world, "cust-north")
    offered = chat.say("I need an oil change", "service_booking")
    booked = chat.say("any of those, you pick", "other")
    assert booked.action == "booked" and booked.appointment is not None
    assert booked.appointment.slot == offered.slots[0]


def test_the_booking_reference_is_told_again_and_nothing_changes(world: World) -> None:
    chat = Chat(world, "cust-north")
    chat.say("I need an oil change", "service_booking")
    booked = chat.say("the first one")
    asked = chat.say("what's my booking reference again?", "other")
    assert asked.action == "none" and asked.missing == ["reference"] and asked.appointment == booked.appointment


def test_closest_to_an_hour_in_the_first_request_offers_the_nearest_times(world: World) -> None:
    chat = Chat(world, "cust-north")
    offered = chat.say("oil change on tuesday, closest to 3pm you have", "service_booking")
    assert offered.action == "slots_offered"
    assert [f"{s.start:%H:%M}" for s in offered.slots] == ["15:00", "14:00", "16:00"]


def test_cancel_it_means_the_appointment_this_conversation_booked(world: World) -> None:
    earlier = Chat(world, "cust-north")
    earlier.say("I need an oil change", "service_booking")
    earlier.say("the second one")
    chat = Chat(world, "cust-north")
    chat.say("I need an oil change", "service_booking")
    booked = chat.say("the first one")
    assert booked.appointment is not None
    asked = chat.say("hmm actually cancel it, I'll be out of town", "other")
    assert asked.missing == ["confirm_cancel"] and asked.appointment == booked.appointment
    cancelled = chat.say("yes cancel it", "other")
    assert cancelled.action == "cancelled" and cancelled.appointment is not None
    assert cancelled.appointment.slot == booked.appointment.slot


def test_questions_that_read_as_bookings_start_no_flow() -> None:
    meta = EventMeta(
        turn_id="t1", conversation_id="c1", customer_id="cust-0017", causation_id="e0", producer="servicing",
        occurred_at=NOW,
    )  # fmt: skip

    def result(text: str, intent: str) -> object:
        message = ConversationReceived(meta=meta, text=text, client_message_id="m", connection_id="k")
        reading = IntentDetected(meta=meta, text=text, intent=intent, confidence=0.9, model="test")  # type: ignore[arg-type]
        return nothing_to_add(message, meta, reading)

    assert result("can i drive it to the dealer? it's like 5 miles", "test_drive") is not None
    assert result("when's my next oil change due?", "service_booking") is not None
    assert result("how long does a tire rotation take?", "service_booking") is not None
    assert result("book a test drive of the cirrus", "test_drive") is None
    assert result("can i bring my aster in for an oil change friday", "service_booking") is None
