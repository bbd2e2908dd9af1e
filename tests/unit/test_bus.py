"""Publishing: one turn stays one X-Ray trace across the bus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicc.runtime.bus import parse_event, put_entry

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "bus" / "IntentDetected.json"


def test_an_event_carries_the_trace_of_the_message_that_caused_it(monkeypatch: pytest.MonkeyPatch) -> None:
    detail = parse_event(SAMPLE.read_text()).detail
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-lambda-own;Parent=1;Sampled=1")
    caused = put_entry(
        detail, "aicc.intent", "Root=1-5f84c7a1-6c1f0f5d3c5e9a7b2d4c6e8f;Parent=53995c3f42cd8ad8;Sampled=1"
    )
    assert caused["TraceHeader"].startswith("Root=1-5f84c7a1")
    assert put_entry(detail, "aicc.intent")["TraceHeader"] == "Root=1-lambda-own;Parent=1;Sampled=1"
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    entry = put_entry(detail, "aicc.intent")
    assert "TraceHeader" not in entry and json.loads(entry["Detail"])["intent"] == "vehicle_problem"


def test_the_memory_bus_records_what_it_took_and_reports_what_it_refused() -> None:
    from aicc.adapters.memory.bus import MemoryBus
    from contracts.events import IntentDetected

    detail = parse_event(SAMPLE.read_text()).detail
    assert isinstance(detail, IntentDetected)
    other = detail.model_copy(update={"intent": "greeting"})
    bus = MemoryBus(refuse=lambda d: isinstance(d, IntentDetected) and d.intent == "greeting")
    assert bus.publish([detail, other, detail], source="aicc.intent", trace_headers=["a", "b", None]) == [1]
    assert bus.details() == [detail, detail]
    assert [p.trace_header for p in bus.published] == ["a", None]
