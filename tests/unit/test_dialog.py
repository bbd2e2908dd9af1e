"""Dialog state: the vehicle in focus, and an escalation that keeps its priority."""

from __future__ import annotations

from aicc.agents.dialog import keep_escalation, vehicle_in_focus
from contracts.common import DialogState, Entities, Route
from contracts.events import ProfileLoaded

ASTER = {"vin": "5ARAX1E23NH000320", "model": "Aster", "model_year": 2022}
BOREALIS = {"vin": "5ARBX1E23SH000325", "model": "Borealis", "model_year": 2025}


def profile(*vehicles: dict[str, object]) -> ProfileLoaded:
    return ProfileLoaded.model_validate(
        {
            "meta": {
                "turn_id": "t", "conversation_id": "c", "customer_id": "cust-0010", "causation_id": "e",
                "producer": "personalization", "occurred_at": "2026-11-02T09:00:00Z",
            },
            "known": True,
            "vehicles": list(vehicles),
        }
    )  # fmt: skip


def test_the_vehicle_named_comes_into_focus_and_stays_there() -> None:
    two = profile(ASTER, BOREALIS)
    named = vehicle_in_focus(DialogState(), Entities(model="Borealis"), two)
    assert named == BOREALIS["vin"]
    # "is it covered?" names nothing: the Borealis stays in focus.
    assert vehicle_in_focus(DialogState(vehicle_vin=named), Entities(), two) == BOREALIS["vin"]
    # Two cars and none named or in focus: nobody guesses.
    assert vehicle_in_focus(DialogState(), Entities(), two) is None
    # One car: that one.
    assert vehicle_in_focus(DialogState(), Entities(), profile(ASTER)) == ASTER["vin"]


def test_an_open_escalation_is_never_lowered() -> None:
    waiting = DialogState(escalation=Route(kind="human", queue="customer_care", priority="high"))
    asked = Route(kind="human", queue="customer_care", priority="normal")
    assert keep_escalation(asked, waiting).priority == "high"
    urgent = Route(kind="human", queue="roadside", priority="urgent")
    assert keep_escalation(urgent, waiting) == urgent
    # A question the assistant answers meanwhile: the conversation stays in its queue.
    assert keep_escalation(Route(), waiting) == waiting.escalation
    assert keep_escalation(Route(), DialogState()) == Route()
