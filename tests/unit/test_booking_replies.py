"""What a booking reply says besides the slots: which car, the dealer's address, the recall repair's dealer,
the offer to go on after a side question."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.agents.compose import (
    ComposedReply,
    _dealer_asked,
    _recall_repair_at,
    _resume_offer,
    _servicing,
    _which_car_to_book,
)
from aicc.agents.slots import asks_when_due
from contracts.events import (
    Appointment,
    CustomerProfile,
    EventMeta,
    InsightsComputed,
    ProfileLoaded,
    RecallNotice,
    ServiceActionTaken,
    Slot,
    Vehicle,
)

META = EventMeta(
    turn_id="t1", conversation_id="c1", customer_id="cust-0010", causation_id="e0", producer="x",
    occurred_at=datetime(2026, 11, 24, tzinfo=UTC),
)  # fmt: skip
ASTER = Vehicle(vin="5ARAX1E23NH000320", model="Aster", model_year=2022)
BOREALIS = Vehicle(vin="5ARBX1E23SH000325", model="Borealis", model_year=2025)
SLOT = Slot(slot_id="service#dlr-north#2026-12-01T08:00#1", dealer_id="dlr-north", start=datetime(2026, 12, 1, 8))


def profile(*vehicles: Vehicle, dealer: str = "dlr-lakeside") -> ProfileLoaded:
    person = CustomerProfile(customer_id="cust-0010", name="Ethan Park", preferred_dealer=dealer)
    return ProfileLoaded(meta=META, known=True, profile=person, vehicles=list(vehicles))


def test_a_customer_with_two_cars_is_asked_which_one_by_name() -> None:
    asked = ServiceActionTaken(meta=META, action="needs_info", kind="service", missing=["vehicle"])
    [question] = _which_car_to_book(asked, profile(ASTER, BOREALIS))
    assert "2022 Aster" in question and "2025 Borealis" in question and question.endswith("?")
    assert _which_car_to_book(asked, profile(ASTER)) == []


def test_a_booking_and_a_move_name_the_car_and_say_it_is_booked() -> None:
    appointment = Appointment(
        appointment_id="a1", kind="service", slot=SLOT, service_type="tire_rotation", model="Borealis", status="booked"
    )
    for action in ("booked", "rescheduled"):
        done = ServiceActionTaken(meta=META, action=action, kind="service", appointment=appointment)
        [said] = _servicing(done, ComposedReply(text=""))
        assert "booked" in said and "for your Borealis" in said and "Aurora North Hills" in said


def test_a_side_question_in_a_booking_gets_the_dealer_and_the_times_again() -> None:
    waiting = ServiceActionTaken(meta=META, action="none", kind="service", slots=[SLOT], missing=["resume"])
    reply = ComposedReply(text="")
    assert "1200 Ridge Road" in (_dealer_asked("wait whats the address there?", waiting, reply) or "")
    assert _dealer_asked("how much is a tire rotation?", waiting, reply) is None
    [offer] = _resume_offer(waiting, reply)
    assert "Tue 01 Dec, 08:00" in offer and "booked" not in offer


def test_a_recall_repair_request_names_the_customers_dealer() -> None:
    recall = RecallNotice(
        recall_id="R-2024-007", vin=ASTER.vin, title="Trailer connector", remedy="Replace it.", severity="medium"
    )
    insights = InsightsComputed(meta=META, open_recalls=[recall], churn_risk=0.1, lifetime_value=0.0)
    said = _recall_repair_at(
        "need to get the trailer plug recall done on my dune", "recall_inquiry", insights, profile(ASTER), None,
        ComposedReply(text=""),
    )  # fmt: skip
    assert said is not None and "Aurora Lakeside" in said
    asked_only = _recall_repair_at(
        "any recalls on my car?", "recall_inquiry", insights, profile(ASTER), None, ComposedReply(text="")
    )
    assert asked_only is None


def test_when_a_service_is_due_is_a_question_not_a_booking() -> None:
    assert asks_when_due("when's my next oil change due?")
    assert asks_when_due("how many miles until my next service is needed")
    assert not asks_when_due("book my oil change for when it's due")
    assert not asks_when_due("when can you fit me in?")
