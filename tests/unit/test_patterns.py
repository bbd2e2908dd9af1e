"""EventBridge pattern semantics, checked against moto's own matcher on the same inputs."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.events.models import EventPattern

from contracts.patterns import matches

EVENT = {
    "source": "aicc.intent",
    "detail-type": "IntentDetected",
    "detail": {
        "intent": "vehicle_problem",
        "confidence": 0.91,
        "entities": {"model": "Cirrus", "vin": None},
        "tags": ["a", "b"],
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"detail-type": ["IntentDetected"]}, True),
        ({"detail-type": ["SentimentAnalyzed"]}, False),
        ({"detail": {"intent": ["vehicle_problem", "vehicle_feature_help"]}}, True),
        ({"detail": {"intent": [{"anything-but": ["other", "greeting"]}]}}, True),
        ({"detail": {"intent": [{"anything-but": "vehicle_problem"}]}}, False),
        ({"detail": {"intent": [{"prefix": "vehicle_"}]}}, True),
        ({"detail": {"intent": [{"suffix": "_problem"}]}}, True),
        ({"detail": {"confidence": [{"numeric": [">=", 0.9]}]}}, True),
        ({"detail": {"confidence": [{"numeric": [">", 0.5, "<", 0.9]}]}}, False),
        ({"detail": {"entities": {"model": [{"equals-ignore-case": "cirrus"}]}}}, True),
        ({"detail": {"entities": {"vin": [None]}}}, True),
        ({"detail": {"entities": {"dealer": [{"exists": False}]}}}, True),
        ({"detail": {"entities": {"model": [{"exists": False}]}}}, False),
        ({"detail": {"tags": ["b"]}}, True),
        ({"detail": {"missing": ["x"]}}, False),
        ({"detail": {"intent": [{"wildcard": "vehicle_*"}]}}, True),
    ],
)
def test_operators(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected
    assert EventPattern.load(__import__("json").dumps(pattern)).matches_event(EVENT) is expected


intents = st.sampled_from(["vehicle_problem", "greeting", "other", "complaint", "recall_inquiry"])


@settings(max_examples=200, deadline=None)
@given(
    intent=intents,
    allowed=st.lists(intents, min_size=1, max_size=3),
    excluded=st.lists(intents, min_size=1, max_size=3),
    confidence=st.floats(min_value=0, max_value=1),
    threshold=st.floats(min_value=0, max_value=1),
)
def test_agrees_with_the_bus(
    intent: str, allowed: list[str], excluded: list[str], confidence: float, threshold: float
) -> None:
    import json

    event = {
        "source": "aicc.intent",
        "detail-type": "IntentDetected",
        "detail": {"intent": intent, "confidence": confidence},
    }
    for pattern in (
        {"detail": {"intent": allowed}},
        {"detail": {"intent": [{"anything-but": excluded}]}},
        {"detail": {"confidence": [{"numeric": [">=", threshold]}], "intent": allowed}},
    ):
        assert matches(pattern, event) == EventPattern.load(json.dumps(pattern)).matches_event(event)
