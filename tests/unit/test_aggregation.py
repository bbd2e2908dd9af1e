"""Turn completeness is derived from the manifest's patterns."""

from __future__ import annotations

from typing import Any

from aicc.agents.aggregation import Arrival, arrival, turn_status
from contracts.manifest import AgentSpec, Manifest, manifest, on

RECEIVED = {"text": "hi"}
ALL_RESULTS = ["IntentDetected", "SentimentAnalyzed", "RouteDecided", "KnowledgeRetrieved", "ProfileLoaded"]


def results(*types: str, intent: str = "vehicle_problem") -> dict[str, dict[str, Any]]:
    held: dict[str, dict[str, Any]] = {"ConversationReceived": RECEIVED}
    for t in types:
        held[t] = {"intent": intent} if t == "IntentDetected" else {}
    return held


def test_complete_only_when_every_awaited_result_is_here() -> None:
    assert turn_status(results(*ALL_RESULTS), manifest()).complete
    status = turn_status(results(*ALL_RESULTS[:-1]), manifest())
    assert not status.complete and status.missing == ["ProfileLoaded"]


def test_not_complete_without_the_message_itself() -> None:
    held = results(*ALL_RESULTS)
    del held["ConversationReceived"]
    assert not turn_status(held, manifest()).complete


def test_chained_results_are_expected_once_their_input_matches() -> None:
    assert arrival("RouteDecided", results(), manifest()) is Arrival.UNDECIDED
    assert arrival("RouteDecided", results("IntentDetected"), manifest()) is Arrival.EXPECTED


def _with_filtered_agent() -> Manifest:
    base = manifest()
    cockpit = AgentSpec(
        name="cockpit",
        handler="handlers.cockpit.handler",
        consumes=[on("help", "IntentDetected", detail={"intent": ["vehicle_feature_help", "vehicle_problem"]})],
        emits=["CockpitGuidance"],
    )
    return Manifest(
        producers=base.producers,
        agents=[*base.agents, cockpit],
        reply_waits_for=[*base.reply_waits_for, "CockpitGuidance"],
    )


def test_a_filtered_agent_is_awaited_only_for_the_intents_its_rule_matches() -> None:
    m = _with_filtered_agent()
    assert arrival("CockpitGuidance", results(), m) is Arrival.UNDECIDED
    assert arrival("CockpitGuidance", results("IntentDetected", intent="vehicle_problem"), m) is Arrival.EXPECTED
    greeting = results(*ALL_RESULTS, intent="greeting")
    assert arrival("CockpitGuidance", greeting, m) is Arrival.NOT_COMING
    assert turn_status(greeting, m).complete
    problem = results(*ALL_RESULTS, intent="vehicle_problem")
    assert turn_status(problem, m).missing == ["CockpitGuidance"]
