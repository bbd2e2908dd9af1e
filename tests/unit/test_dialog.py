"""Dialog state: the vehicle in focus, and an escalation that keeps its priority."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.agents.dialog import advance, keep_escalation, vehicle_in_focus
from contracts.common import DialogState, Entities, Route, Source
from contracts.events import (
    ConversationReceived,
    EventMeta,
    IntentDetected,
    ProfileLoaded,
    ResponseComposed,
    ServiceActionTaken,
    TurnResults,
)

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


def test_the_last_question_is_kept_for_follow_ups_and_booking_steps_leave_it() -> None:
    meta = EventMeta(
        turn_id="t", conversation_id="c", customer_id="cust-0010", causation_id="e", producer="x",
        occurred_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
    )  # fmt: skip

    def turn(
        text: str, intent: str, *, booking: bool = False, cited: bool = True
    ) -> tuple[TurnResults, ResponseComposed]:
        received = ConversationReceived(meta=meta, text=text, client_message_id="m", connection_id="k")
        detected = IntentDetected(meta=meta, text=text, intent=intent, confidence=0.9, model="test")  # type: ignore[arg-type]
        acted = ServiceActionTaken(meta=meta, action="booked", kind="service") if booking else None
        results = TurnResults(
            ConversationReceived=received, IntentDetected=detected, ProfileLoaded=profile(ASTER, BOREALIS),
            ServiceActionTaken=acted,
        )  # fmt: skip
        sources = [Source(title="manual", uri="https://example.test/m")] if cited else []
        return results, ResponseComposed(meta=meta, text="a reply", sources=sources)

    state = advance(DialogState(), *turn("does my aster have any recalls?", "recall_inquiry"))
    assert state.last_question == "does my aster have any recalls?"
    assert [v.model for v in state.vehicles] == ["Aster", "Borealis"]
    state = advance(state, *turn("the first one", "service_booking", booking=True))
    assert state.last_question == "does my aster have any recalls?"
    # A question the classifier could not place, answered from the manual, is one a follow-up may refer to.
    state = advance(state, *turn("what pressure should my tires be at?", "other"))
    assert state.last_question == "what pressure should my tires be at?"
    assert advance(state, *turn("should i buy stock", "other", cited=False)).last_question == state.last_question
