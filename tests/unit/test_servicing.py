"""Interactive servicing against moto: multi-turn slot filling, booking, races lost, moves and cancellations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.agents import servicing
from aicc.agents.servicing import FlowState, book_action, cancel_action, handle
from aicc.agents.slots import LEAD_TIME, SlotRef, opening_hours, parse_slot_id, slot_starts
from aicc.data.reference import dealer_uri
from aicc.nlu import extract_entities
from aicc.runtime import clients
from aicc.runtime.tables import TABLES, create_table_kwargs
from contracts.common import Intent
from contracts.events import EventMeta, IntentDetected, ServiceActionTaken

# Monday 8 June 2026, 08:00 in Los Angeles (every demo dealer's timezone): the earliest bookable hour is 10:00.
NOW = datetime(2026, 6, 8, 15, 0, tzinfo=UTC)
FRIDAY = date(2026, 6, 12)

CUSTOMERS: list[dict[str, Any]] = [
    {
        "customer_id": "cust-north",
        "name": "Nora North",
        "preferred_dealer": "dlr-north",
        "vehicles": [{"vin": "5ARAX1E23MH000126", "model": "Aster", "model_year": 2021}],
    },
    {"customer_id": "cust-harbor", "name": "Hal Harbor", "preferred_dealer": "dlr-harbor", "vehicles": []},
    {"customer_id": "cust-nowhere", "name": "Nell Nowhere", "vehicles": []},
]


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AICC_TABLE_PREFIX", "aicc-")
    with mock_aws():
        clients.reset()
        db: Any = boto3.client("dynamodb", region_name="us-east-1")
        for spec in TABLES.values():
            db.create_table(**create_table_kwargs(spec, "aicc-"))
        for customer in CUSTOMERS:
            db.put_item(
                TableName="aicc-customers",
                Item={"customer_id": {"S": customer["customer_id"]}, "doc": {"S": json.dumps(customer)}},
            )
        yield db
        clients.reset()


class Chat:
    """One conversation: owns its META item and plays turns the way the ingress and intent agent would."""

    def __init__(self, db: Any, customer_id: str, conversation_id: str | None = None) -> None:
        self.db = db
        self.customer_id = customer_id
        self.conversation_id = conversation_id or f"conv-{uuid.uuid4().hex[:8]}"
        db.put_item(
            TableName="aicc-conversations",
            Item={
                "conversation_id": {"S": self.conversation_id},
                "sk": {"S": "META"},
                "customer_id": {"S": customer_id},
            },
        )

    def say(self, text: str, intent: Intent = "other", *, now: datetime = NOW, turn_id: str | None = None) -> Any:
        meta = EventMeta(
            turn_id=turn_id or uuid.uuid4().hex,
            conversation_id=self.conversation_id,
            customer_id=self.customer_id,
            causation_id="evt-" + uuid.uuid4().hex,
            producer="servicing",
            occurred_at=now,
            flow=self.flow(),
        )
        detected = IntentDetected(
            meta=meta.model_copy(update={"producer": "intent"}),
            text=text,
            intent=intent,
            confidence=0.9,
            entities=extract_entities(text, now),
            model="test",
        )
        result = handle(detected, meta, now=now)
        assert isinstance(result, ServiceActionTaken)
        # The result crosses the bus as JSON: it must survive the trip.
        return ServiceActionTaken.model_validate_json(result.model_dump_json())

    def flow(self) -> str | None:
        item = self.db.get_item(
            TableName="aicc-conversations", Key={"conversation_id": {"S": self.conversation_id}, "sk": {"S": "META"}}
        )["Item"]
        return item.get("flow", {}).get("S")

    def state(self) -> FlowState:
        item = self.db.get_item(
            TableName="aicc-conversations",
            Key={"conversation_id": {"S": self.conversation_id}, "sk": {"S": "FLOW#servicing"}},
        )["Item"]
        return FlowState.from_json(item["state"]["S"])


def held(db: Any, slot_id: str) -> dict[str, Any] | None:
    return db.get_item(TableName="aicc-appointments", Key={"slot_id": {"S": slot_id}}).get("Item")


def local(moment: datetime) -> datetime:
    assert moment.utcoffset() == timedelta(hours=-7)  # PDT: slots are shown in the dealer's wall-clock time
    return moment


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


def test_closed_days_and_past_times_are_never_offered(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-north")
    sunday = chat.say("I need an oil change on Sunday", "service_booking")
    assert sunday.action == "slots_offered"
    assert [local(s.start).isoformat() for s in sunday.slots] == [
        "2026-06-15T08:00:00-07:00",  # closed on Sunday: the next open morning instead
        "2026-06-15T09:00:00-07:00",
        "2026-06-15T10:00:00-07:00",
    ]
    past = Chat(dynamodb, "cust-north").say("Can I get an oil change today at 8am?", "service_booking")
    assert past.slots and all(s.start >= NOW + LEAD_TIME for s in past.slots)
    stale = Chat(dynamodb, "cust-north").say("Book slot service#dlr-north#2026-06-08T08:00#1", "service_booking")
    assert stale.action == "unavailable"  # a button from an old reply: that hour is too soon now
    assert held(dynamodb, "service#dlr-north#2026-06-08T08:00#1") is None


# --- booking ---------------------------------------------------------------------------------------------


def test_booking_over_three_turns(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-north")

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

    item = held(dynamodb, second.slots[1].slot_id)
    assert item is not None
    assert item["customer_id"]["S"] == "cust-north"
    assert item["conversation_id"]["S"] == chat.conversation_id
    assert item["appointment_id"]["S"] == appointment.appointment_id
    assert item["start"]["S"] == "2026-06-12T16:00:00Z"  # the by_customer index sorts on UTC


def test_booking_from_the_quick_action_text(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-harbor")
    offered = chat.say("I'd like to book a tire rotation next Tuesday", "service_booking")
    assert offered.action == "slots_offered"
    slot = offered.slots[2]
    booked = chat.say(book_action(slot.slot_id), "service_booking")
    assert booked.action == "booked"
    assert booked.appointment is not None and booked.appointment.slot == slot
    assert booked.appointment.service_type == "tire_rotation"
    assert chat.flow() is None


def test_free_text_day_and_hour_books_that_hour(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-north")
    chat.say("My car needs its scheduled maintenance", "service_booking")
    booked = chat.say("Tuesday at 9 works for me")
    assert booked.action == "booked" and booked.appointment is not None
    assert local(booked.appointment.slot.start).isoformat() == "2026-06-09T09:00:00-07:00"

    again = Chat(dynamodb, "cust-north")
    again.say("I need a brake inspection on Wednesday", "service_booking")
    at_nine = again.say("9am works")  # the day was already named: that hour on that day
    assert at_nine.action == "booked" and at_nine.appointment is not None
    assert local(at_nine.appointment.slot.start).isoformat() == "2026-06-10T09:00:00-07:00"


def test_a_taken_slot_is_refused_and_the_next_free_ones_offered(dynamodb: Any) -> None:
    first = Chat(dynamodb, "cust-harbor")
    slot_id = "service#dlr-harbor#2026-06-12T09:00#1"
    assert first.say(book_action(slot_id), "service_booking").action == "booked"

    second = Chat(dynamodb, "cust-north")
    refused = second.say(book_action(slot_id), "service_booking")
    assert refused.action == "unavailable"
    assert refused.slots and slot_id not in [s.slot_id for s in refused.slots]
    # The same hour in another bay comes first: the customer cares about the time, not the bay.
    assert refused.slots[0].slot_id == "service#dlr-harbor#2026-06-12T09:00#2"
    assert second.flow() == "servicing"
    assert held(dynamodb, slot_id)["customer_id"]["S"] == "cust-harbor"  # type: ignore[index]

    taken = second.say("the first one")
    assert taken.action == "booked" and taken.appointment is not None
    assert taken.appointment.slot.slot_id == "service#dlr-harbor#2026-06-12T09:00#2"


def test_free_slots_leave_out_held_ones(dynamodb: Any) -> None:
    # Every bay at North Hills is held at 10:00 and 11:00 today: the offer starts at 12:00.
    for hour in (10, 11):
        for bay in range(1, 7):
            Chat(dynamodb, f"cust-{hour}-{bay}").say(
                book_action(f"service#dlr-north#2026-06-08T{hour}:00#{bay}"), "service_booking"
            )
    offered = Chat(dynamodb, "cust-north").say("I need an oil change", "service_booking")
    assert [local(s.start).hour for s in offered.slots] == [12, 13, 14]


def test_a_turn_retried_after_a_crash_keeps_its_booking(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = Chat(dynamodb, "cust-north")
    offered = chat.say("I need an oil change", "service_booking")
    save = servicing._Turn.save

    def crash(self: Any, state: FlowState) -> None:
        raise RuntimeError("Lambda timed out after the booking, before the flow was stored")

    monkeypatch.setattr(servicing._Turn, "save", crash)
    with pytest.raises(RuntimeError):
        chat.say("the first one", turn_id="turn-retried")
    assert held(dynamodb, offered.slots[0].slot_id) is not None
    monkeypatch.setattr(servicing._Turn, "save", save)

    retried = chat.say("the first one", turn_id="turn-retried")
    assert retried.action == "booked" and retried.appointment is not None
    assert retried.appointment.slot == offered.slots[0]
    assert chat.flow() is None

    # The same button pressed again in a later turn: still the customer's one booking, not "taken".
    pressed_twice = chat.say(book_action(offered.slots[0].slot_id), "service_booking")
    assert pressed_twice.action == "booked" and pressed_twice.appointment == retried.appointment


# --- reschedule and cancel -------------------------------------------------------------------------------


def test_reschedule_books_the_new_slot_then_frees_the_old_one(dynamodb: Any) -> None:
    booking = Chat(dynamodb, "cust-north")
    booking.say("I need an oil change", "service_booking")
    original = booking.say("the first one").appointment
    assert original is not None

    chat = Chat(dynamodb, "cust-north")  # another day, another conversation
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
    assert held(dynamodb, original.slot.slot_id) is None
    assert held(dynamodb, offered.slots[0].slot_id)["customer_id"]["S"] == "cust-north"  # type: ignore[index]
    assert chat.flow() is None


def test_cancel_frees_the_slot_and_keeps_a_record(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-harbor")
    chat.say("I need an oil change", "service_booking")
    booked = chat.say("the third one").appointment
    assert booked is not None

    cancelled = chat.say("Please cancel my service appointment", "service_booking")
    assert cancelled.action == "cancelled"
    assert cancelled.appointment is not None
    assert cancelled.appointment.appointment_id == booked.appointment_id
    assert cancelled.appointment.status == "cancelled"
    assert held(dynamodb, booked.slot.slot_id) is None
    record = chat.state().cancellations[-1]
    assert record["appointment_id"] == booked.appointment_id and record["slot_id"] == booked.slot.slot_id
    assert chat.flow() is None

    # Free again: someone else can have it.
    other = Chat(dynamodb, "cust-north").say(book_action(booked.slot.slot_id), "service_booking")
    assert other.action == "booked"

    # The cancel button pressed again says it is cancelled, and frees nothing of the new owner's.
    again = chat.say(cancel_action(booked.slot.slot_id), "service_booking")
    assert again.action == "cancelled"
    assert held(dynamodb, booked.slot.slot_id)["customer_id"]["S"] == "cust-north"  # type: ignore[index]


def test_cancel_with_several_appointments_asks_which(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-harbor")
    for slot_id in ("service#dlr-harbor#2026-06-10T09:00#1", "service#dlr-harbor#2026-06-11T09:00#1"):
        assert chat.say(book_action(slot_id), "service_booking").action == "booked"
    asked = chat.say("I need to cancel my appointment", "service_booking")
    assert asked.action == "needs_info" and asked.missing == ["appointment"]
    assert [s.slot_id for s in asked.slots] == [
        "service#dlr-harbor#2026-06-10T09:00#1",
        "service#dlr-harbor#2026-06-11T09:00#1",
    ]
    cancelled = chat.say("the second one")
    assert cancelled.action == "cancelled" and cancelled.appointment is not None
    assert cancelled.appointment.slot.slot_id == "service#dlr-harbor#2026-06-11T09:00#1"
    assert held(dynamodb, "service#dlr-harbor#2026-06-10T09:00#1") is not None


def test_nothing_to_cancel_or_move(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-north")
    nothing = chat.say("cancel my service appointment", "service_booking")
    assert nothing.action == "unavailable" and nothing.missing == ["appointment"]
    assert chat.say("reschedule my appointment please", "service_booking").missing == ["appointment"]
    assert chat.flow() is None


def test_cancel_while_arranging_drops_the_request_not_an_older_booking(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-harbor")
    assert chat.say(book_action("service#dlr-harbor#2026-06-10T09:00#1"), "service_booking").action == "booked"
    chat.say("I also need a wheel alignment", "service_booking")
    dropped = chat.say("actually cancel that")
    assert dropped.action == "cancelled" and dropped.appointment is None
    assert held(dynamodb, "service#dlr-harbor#2026-06-10T09:00#1") is not None
    assert chat.flow() is None


# --- test drives, missing information, abandoning ----------------------------------------------------------


def test_test_drive_flow(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-harbor")
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


def test_dealer_is_asked_for_when_there_is_no_preferred_one(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-nowhere")
    asked = chat.say("I need an oil change", "service_booking")
    assert asked.action == "needs_info" and asked.missing == ["dealer"]
    assert {s.uri for s in asked.sources} == {dealer_uri(d) for d in ("dlr-north", "dlr-harbor", "dlr-lakeside")}
    offered = chat.say("Lakeside please")
    assert offered.action == "slots_offered" and {s.dealer_id for s in offered.slots} == {"dlr-lakeside"}
    assert [s.uri for s in offered.sources] == [dealer_uri("dlr-lakeside")]


def test_two_follow_ups_with_nothing_usable_end_the_flow(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-north")
    offered = chat.say("I need an oil change", "service_booking")
    again = chat.say("what does my warranty cover?", "warranty_inquiry")
    assert again.action == "slots_offered" and again.slots == offered.slots  # a reminder, once
    assert chat.flow() == "servicing"
    dropped = chat.say("and does it include brakes?", "warranty_inquiry")
    assert dropped.action == "cancelled" and dropped.appointment is None
    assert chat.flow() is None and chat.state().status == "abandoned"


def test_a_follow_up_after_the_flow_ended_starts_nothing(dynamodb: Any) -> None:
    chat = Chat(dynamodb, "cust-north")
    late = chat.say("the second one", "other")  # e.g. a stale meta.flow
    assert late.action == "needs_info" and late.missing == ["kind"]
    assert chat.flow() is None


def test_no_meta_item_is_ever_created(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = Chat(dynamodb, "cust-north")
    dynamodb.delete_item(
        TableName="aicc-conversations", Key={"conversation_id": {"S": chat.conversation_id}, "sk": {"S": "META"}}
    )
    monkeypatch.setattr(Chat, "flow", lambda self: None)
    assert chat.say("I need an oil change", "service_booking").action == "slots_offered"
    items = dynamodb.query(
        TableName="aicc-conversations",
        KeyConditionExpression="conversation_id = :c",
        ExpressionAttributeValues={":c": {"S": chat.conversation_id}},
    )["Items"]
    assert [i["sk"]["S"] for i in items] == ["FLOW#servicing"]
    assert servicing.FLOW_SK == "FLOW#servicing"
