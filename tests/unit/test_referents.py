"""Follow-ups resolved against the dialog state: another car, a corrected car, the topic asked about."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.agents.compose import _step_asked_about
from aicc.agents.referents import resolve
from contracts.common import DialogState, OwnedVehicle
from contracts.events import CockpitGuidance, EventMeta

ASTER = OwnedVehicle(vin="5ARAX1E23NH000320", model="Aster", model_year=2022)
BOREALIS = OwnedVehicle(vin="5ARBX1E23SH000325", model="Borealis", model_year=2025)


def asked(
    question: str, *, focus: OwnedVehicle | None = ASTER, cars: tuple[OwnedVehicle, ...] = (ASTER, BOREALIS)
) -> DialogState:
    return DialogState(vehicles=list(cars), vehicle_vin=focus.vin if focus else None, last_question=question)


def test_the_other_car_gets_the_same_question() -> None:
    recalls = asked("does my aster have any recalls?")
    for follow_up in ("what about the other one?", "and my other car?", "ok what about my borealis then?"):
        assert resolve(follow_up, recalls) == "does my Borealis have any recalls?"
    warranty = asked("how long is the battery warranty on my car?")
    assert resolve("and my other car?", warranty) == "how long is the battery warranty on my Borealis?"
    # Without a car in focus, "the other one" points at nothing.
    assert resolve("what about the other one?", asked("is my car covered?", focus=None)) is None


def test_a_model_they_do_not_own_is_asked_about_not_claimed() -> None:
    assert resolve("and for the cirrus?", asked("how far does my aster go on a tank?")) == (
        "how far does the Cirrus go on a tank?"
    )


def test_a_corrected_car_gets_the_question_again() -> None:
    noise = asked("my borealis is making a grinding noise when i brake", cars=(ASTER,))
    assert resolve("sorry, i meant my aster, brain fart", noise) == "my Aster is making a grinding noise when i brake"


def test_messages_that_say_what_they_ask_are_left_alone() -> None:
    recalls = asked("does my aster have any recalls?")
    for message in (
        "is it safe to keep driving it?",
        "what about my aster's brakes and the noise they make?",
        "where's that button exactly?",
        "is the fix for that one free?",
        "what about my aster?",  # the car already asked about
    ):
        assert resolve(message, recalls) is None
    # A booking request is read as it stands, whatever came before.
    assert resolve("can i still book for friday?", recalls) is None
    assert resolve("what about booking the other one in too?", recalls) is None
    # During a booking "the other one" is a slot, not a car.
    assert resolve("the other one", recalls, in_flow=True) is None
    assert resolve("what about the other one?", DialogState()) is None


def test_a_question_about_one_step_of_guidance_already_given_gets_that_step() -> None:
    meta = EventMeta(
        turn_id="t2", conversation_id="c1", customer_id="cust-0001", causation_id="e0", producer="cockpit",
        occurred_at=datetime(2026, 11, 24, tzinfo=UTC),
    )  # fmt: skip
    steps = ["Inflate all four tires to 35 psi.", "Hold the TPMS SET button below the steering column.", "Drive on."]
    guidance = CockpitGuidance(meta=meta, topic="tire_pressure", model="Aster", model_year=2021, steps=steps)
    explained = DialogState(warning_light="tire_pressure")
    detail = _step_asked_about("where's that button exactly?", guidance, explained)
    assert detail is not None and "steering column" in detail and "35 psi" not in detail
    # The first time, or a question no single step answers: the whole guidance.
    assert _step_asked_about("where's that button exactly?", guidance, DialogState()) is None
    assert _step_asked_about("i filled the tires but it's still on", guidance, explained) is None


def test_the_same_situation_under_another_condition_keeps_the_light_and_the_car() -> None:
    light = DialogState(
        vehicles=[ASTER], vehicle_vin=ASTER.vin, warning_light="ev_system", last_intent="vehicle_problem",
        last_question="is it safe to keep driving it?", said=["guidance:ev_system"],
    )  # fmt: skip
    assert resolve("can i still use a supercharger on the way?", light) == (
        "can i still use a supercharger on the way? (check EV system light on my Aster)"
    )
    # A message that names its own light is read as it stands.
    assert resolve("what if the oil pressure light comes on too?", light) is None


def test_a_question_about_guidance_already_given_gets_the_steps_it_is_about() -> None:
    meta = EventMeta(
        turn_id="t3", conversation_id="c1", customer_id="cust-0004", causation_id="e0", producer="cockpit",
        occurred_at=datetime(2026, 11, 24, tzinfo=UTC),
    )  # fmt: skip
    steps = ["Power may be reduced; drive gently to a dealer.", "Avoid DC fast charging until the car is checked."]
    guidance = CockpitGuidance(meta=meta, topic="ev_system", model="Cirrus", model_year=2023, steps=steps)
    explained = DialogState(warning_light="ev_system")
    detail = _step_asked_about("can i still use a supercharger on the way?", guidance, explained)
    assert detail is not None and "Avoid DC fast charging" in detail and "gently" not in detail
    assert _step_asked_about("is it safe to keep driving it?", guidance, explained) is None
    unsafe = guidance.model_copy(update={"safe_to_drive": False})
    assert _step_asked_about("can i still use a supercharger on the way?", unsafe, explained) is None


def test_follow_ups_that_name_no_car_are_left_to_the_knowledge_search() -> None:
    # The knowledge search reads them with the conversation's topic; rewriting them would hide that.
    tires = asked("what pressure should my tires be at?")
    assert resolve("even when towing?", tires) is None
    assert resolve("how often should i do that?", asked("how much is a cabin air filter replacement?")) is None
    assert resolve("what about my buddy's dune trail?", asked("how much can my truck tow?")) == (
        "how much can the Dune Trail tow?"
    )


def test_the_other_car_in_a_question_of_its_own_is_named() -> None:
    recalls = asked("does my aster have any recalls?")
    assert resolve("is the other one still under warranty?", recalls) == "is my Borealis still under warranty?"
    assert resolve("my other car has a flat tire", recalls) == "my Borealis has a flat tire"
    # Without a car in focus there is no "other" one.
    assert resolve("my other car has a flat tire", asked("is my car covered?", focus=None)) is None
