"""The operator tools over in-memory ports: a trace reads a turn (or a conversation's turns) from the
event log; a replay diff compares the replay's replies with the logged originals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from aicc import ops
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.eventlog import MemoryEventLog
from aicc.adapters.memory.replays import MemoryReplayResults
from aicc.ports.conversations import NewTurn
from contracts.common import Route
from tests.bus_events import turn


@pytest.fixture
def log() -> MemoryEventLog:
    log = MemoryEventLog()
    log.append(turn("t-1", latency_ms=180.0))
    log.append(turn("t-2", route=Route(kind="human", queue="service")))
    return log


def test_a_trace_lists_the_turns_events_with_their_elapsed_time(log: MemoryEventLog) -> None:
    traced = ops.trace("t-1", log=log)
    assert isinstance(traced, dict)
    assert [(e["producer"], e["detail_type"], e["elapsed_ms"]) for e in traced["events"]] == [
        ("ingress", "ConversationReceived", 0.0),
        ("intent", "IntentDetected", 40.0),
        ("sentiment", "SentimentAnalyzed", 60.0),
        ("aggregator", "ReplySent", 180.0),
    ]
    assert traced["agent_latency_ms"] == {"intent": 40.0, "sentiment": 60.0}
    assert (traced["latency_ms"], traced["degraded"], traced["deadline_fired"], traced["missing"]) == (
        180.0,
        False,
        False,
        [],
    )


def test_a_conversation_id_traces_each_of_its_turns(log: MemoryEventLog) -> None:
    conversations = MemoryConversations()
    at = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    # Stored out of id order: the trace follows the time each turn started.
    for turn_id, seconds in (("t-2", 30), ("t-1", 0)):
        conversations.start_turn(
            NewTurn(
                "conv-1", turn_id, "cust-0001", "customer", f"m-{turn_id}", "hello", at + timedelta(seconds=seconds)
            ),
            opens=True,
        )
    traced = ops.trace("conv-1", log=log, conversations=conversations)
    assert isinstance(traced, list) and [t["turn_id"] for t in traced] == ["t-1", "t-2"]
    with pytest.raises(LookupError):
        ops.trace("nothing", log=log, conversations=conversations)


def test_a_replay_diff_compares_each_replayed_turn_with_its_original(log: MemoryEventLog) -> None:
    results = MemoryReplayResults()
    original = ops.original_reply("t-1", log)
    assert original is not None and original["intent"] == "warranty_inquiry"
    for turn_id in ("t-1", "t-2", "t-3"):
        results.record_turn("r-1", turn_id)
    results.record_reply("r-1", "t-1", original)
    results.record_reply("r-1", "t-2", {**original, "route": {"kind": "bot", "queue": None, "priority": "normal"}})
    report = ops.replay_diff("r-1", log=log, results=results)
    assert (report["same"], report["changed"], report["missing"]) == (1, 1, 1)
    statuses = {t["turn_id"]: (t["status"], t.get("fields")) for t in report["turns"]}
    assert statuses == {"t-1": ("same", []), "t-2": ("changed", ["route"]), "t-3": ("missing", None)}


def test_a_trace_gives_each_events_id_so_the_causal_chain_can_be_followed(log: MemoryEventLog) -> None:
    traced = ops.trace("t-1", log=log)
    assert isinstance(traced, dict)
    by_id = {e["id"]: e for e in traced["events"]}
    assert len(by_id) == len(traced["events"])
    # From the reply back to the message, each causation_id names an event of the trace.
    event = next(e for e in traced["events"] if e["detail_type"] == "ReplySent")
    chain = [event["detail_type"]]
    while event["causation_id"] in by_id:
        event = by_id[event["causation_id"]]
        chain.append(event["detail_type"])
    assert chain == ["ReplySent", "IntentDetected", "ConversationReceived"]


def test_aicc_trace_json_prints_the_ids(
    log: MemoryEventLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aicc import cli

    monkeypatch.setattr(ops, "_event_log", lambda: log)
    # The command points boto3 at a local stack unless an endpoint is set; the log here is in memory.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert cli.main(["trace", "t-1", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [e["id"] for e in events] == [e.event_id for e in log.turn("t-1")]
    assert all(e["causation_id"] for e in events)
