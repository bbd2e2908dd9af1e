"""Contracts: checked-in schemas are fresh, samples in events/ validate, the manifest is coherent."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from aicc.runtime.bus import parse_event
from contracts.events import EVENT_MODELS
from contracts.frames import WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES, SendMessage
from contracts.manifest import manifest
from contracts.schema_export import (
    DIAGRAM,
    MANIFEST_EXPORT,
    SCHEMA_DIR,
    render_diagram,
    render_manifest,
    render_schemas,
)

ROOT = Path(__file__).resolve().parents[2]
BUS_SAMPLES = sorted((ROOT / "events" / "bus").glob("*.json"))
WS_SAMPLES = sorted((ROOT / "events" / "websocket").glob("*.json"))


def test_checked_in_schemas_are_fresh() -> None:
    expected = render_schemas()
    on_disk = {str(p.relative_to(SCHEMA_DIR)): p.read_text() for p in SCHEMA_DIR.rglob("*.json")}
    stale = sorted(name for name in expected.keys() | on_disk.keys() if expected.get(name) != on_disk.get(name))
    assert not stale, f"run `python scripts/generate_contracts.py`; stale: {stale}"
    assert MANIFEST_EXPORT.read_text() == render_manifest(), "run `python scripts/generate_contracts.py`"
    assert DIAGRAM.read_text() == render_diagram(), "run `python scripts/generate_contracts.py`"


def test_every_event_type_has_a_sample() -> None:
    assert {p.stem for p in BUS_SAMPLES} == set(EVENT_MODELS)


@pytest.mark.parametrize("path", BUS_SAMPLES, ids=lambda p: p.stem)
def test_bus_samples_validate(path: Path) -> None:
    event = parse_event(path.read_text())
    assert event.detail_type == path.stem
    assert event.source.startswith("aicc.")
    assert event.meta.producer == event.source.removeprefix("aicc.")


@pytest.mark.parametrize("path", WS_SAMPLES, ids=lambda p: p.stem)
def test_websocket_samples_match_a_route(path: Path) -> None:
    event = json.loads(path.read_text())
    route = event["requestContext"]["routeKey"]
    assert route in WEBSOCKET_ROUTES
    if route == "sendMessage":
        SendMessage.model_validate_json(event["body"])


def test_every_handler_named_anywhere_exists() -> None:
    names = [a.handler for a in manifest().agents] + [h for h, _ in WEBSOCKET_ROUTES.values()] + [WEBSOCKET_AUTHORIZER]
    for dotted in names:
        module, _, attr = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr)), dotted


def test_each_agent_publishes_only_its_own_source() -> None:
    sources = [a.source for a in manifest().agents]
    assert len(set(sources)) == len(sources)
    # Every rule for a detail-type takes it from each agent that emits it (the aggregator too, for the
    # messages it hands on when their staff member did not answer).
    for agent in manifest().agents:
        for emitted in agent.emits:
            for sub in (s for consumer in manifest().agents for s in consumer.consumes):
                if emitted in sub.detail_types:
                    assert agent.source in sub.pattern["source"], (agent.name, emitted, sub.name)


def test_a_turns_results_have_a_typed_field_for_everything_a_join_records() -> None:
    from contracts.events import TurnResults

    joined = {t for sub in manifest().agent("aggregator").consumes for t in sub.detail_types} - {"TurnDeadline"}
    assert set(manifest().reply_waits_for) | joined <= set(TurnResults.detail_types())


def test_turn_results_keep_their_wire_shape() -> None:
    """Keyed by detail-type, holding only the results present: archived TurnAssembled events parse."""
    sample = json.loads((ROOT / "events" / "bus" / "TurnAssembled.json").read_text())
    assembled = parse_event(sample).detail
    on_wire = json.loads(assembled.model_dump_json())
    assert set(on_wire["results"]) == set(sample["detail"]["results"])
    assert set(on_wire["results"]) == {"ConversationReceived", "IntentDetected", "SentimentAnalyzed"}
    assert type(assembled).model_validate(on_wire) == assembled


def test_every_function_a_reply_waits_for_is_sized_for_the_reply_path() -> None:
    from contracts.sizing import FUNCTIONS

    plan = manifest()
    waited_for = {agent.name for t in plan.reply_waits_for for agent in plan.producers_of(t)}
    reply_path = {name for name, sizing in FUNCTIONS.items() if sizing.reply_path}
    assert reply_path == waited_for | {"aggregator", "ws_ingress", "ws_staff"}
