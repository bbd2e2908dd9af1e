"""Replays of the archive on moto: window and agent filter honoured, nothing reaches a socket,
the diff is all-same, a deliberate change shows up in exactly the affected turns, and a trace
lists every agent that contributed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from aicc import ops
from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.events import REPLAY_WINDOW_AND_FILTERS
from tests.choreography.conftest import Choreography


@pytest.fixture
def replayable(chat: Choreography) -> Iterator[Choreography]:
    with PATCHES.applied(REPLAY_WINDOW_AND_FILTERS.name):  # the registry restores moto afterwards
        yield chat


def _talk(chat: Choreography, customer: str, texts: list[str]) -> tuple[str, list[dict]]:  # type: ignore[type-arg]
    conn = chat.connect(customer)
    conversation = None
    for text in texts:
        ack = chat.send(conn, text, conversation_id=conversation)
        conversation = ack["conversation_id"]
        chat.pump()
    return conn, chat.replies(conn)


def _replay(chat: Choreography, start: datetime, agents: list[str], name: str) -> ops.ReplayOutcome:
    ops.start_replay(start, datetime.now(UTC) + timedelta(seconds=1), agents, name=name)
    chat.pump()
    return ops.follow_replay(name, settle_s=0.1, timeout_s=10)


def test_a_replay_answers_every_turn_the_same_and_pushes_nothing(replayable: Choreography) -> None:
    chat = replayable
    start = datetime.now(UTC) - timedelta(seconds=5)
    conn_a, _ = _talk(chat, "cust-0001", ["How do I pair my phone?", "what does my warranty cover?"])
    conn_b, _ = _talk(chat, "cust-0004", ["The tire pressure light is on"])
    frames_before = {c: len(chat.frames(c)) for c in (conn_a, conn_b)}

    outcome = _replay(chat, start, [], "all-agents")
    assert outcome.state == "COMPLETED" and outcome.turns == 3 and outcome.events == 3
    assert {c: len(chat.frames(c)) for c in (conn_a, conn_b)} == frames_before, "a replay reached a socket"
    report = ops.replay_diff("all-agents")
    assert (report["same"], report["changed"], report["missing"]) == (3, 0, 0), report


def test_the_window_and_the_agent_filter_are_honoured(replayable: Choreography) -> None:
    chat = replayable
    _talk(chat, "cust-0002", ["hello"])
    time.sleep(1.2)
    start = datetime.now(UTC)
    _talk(chat, "cust-0003", ["Is there a recall on my car?"])

    before = dict(chat.invocations)
    counted = _day_totals()
    outcome = _replay(chat, start, ["intent"], "intent-only")
    assert outcome.turns == 1, "only the turn inside the window is replayed"
    assert ops.replay_diff("intent-only")["same"] == 1
    # Only the intent rule and the reply path received archived events: the other agents' queues
    # got nothing, so their functions were never invoked.
    for agent in ("knowledge", "personalization", "sentiment", "cdh"):
        assert chat.invocations.get(agent, 0) == before.get(agent, 0), agent
    assert chat.invocations["intent"] > before["intent"]
    # Analytics sees the replay's new events on the bus and counts none of them.
    assert _day_totals() == counted


def _day_totals() -> dict:  # type: ignore[type-arg]
    import boto3

    day = datetime.now(UTC).date().isoformat()
    item = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName="aicc-analytics", Key={"pk": {"S": f"day#{day}"}, "sk": {"S": "totals"}}
    )
    return item.get("Item", {})


def test_a_changed_agent_shows_up_in_exactly_the_affected_turns(
    replayable: Choreography, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = replayable
    start = datetime.now(UTC) - timedelta(seconds=5)
    _talk(chat, "cust-0005", ["I want to speak to a human please"])
    _talk(chat, "cust-0007", ["How do I pair my phone?"])

    # Deliberately change one agent: routing now keeps people who ask for a human with the bot.
    from aicc.agents import routing

    rules = tuple(r for r in routing.RULES if r.name != "asked for a person")
    monkeypatch.setattr(routing, "RULES", rules)
    _replay(chat, start, ["routing"], "routing-change")
    report = ops.replay_diff("routing-change")
    assert (report["same"], report["changed"], report["missing"]) == (1, 1, 0), report
    (changed,) = [t for t in report["turns"] if t["status"] == "changed"]
    assert "route" in changed["fields"]
    assert changed["original"]["route"]["kind"] == "human" and changed["replayed"]["route"]["kind"] == "bot"


def test_a_trace_lists_every_agent_that_contributed_in_causal_order(chat: Choreography) -> None:
    _, replies = _talk(chat, "cust-0004", ["The tire pressure light came on"])
    traced = ops.trace(replies[0]["turn_id"])
    assert isinstance(traced, dict)
    producers = [e["producer"] for e in traced["events"]]
    assert producers[0] == "ingress"
    for agent in (
        "intent",
        "sentiment",
        "knowledge",
        "personalization",
        "cdh",
        "routing",
        "cockpit",
        "response",
        "aggregator",
    ):
        assert agent in producers, agent
    kinds = [e["detail_type"] for e in traced["events"]]
    # The reply waited for the agents; routing and response generation published their decisions after it.
    assert producers.index("intent") < kinds.index("ReplySent") < kinds.index("RouteDecided")
    assert kinds.index("ReplySent") < kinds.index("ResponseComposed")
    by_conversation = ops.trace(replies[0]["conversation_id"])
    assert isinstance(by_conversation, list) and by_conversation[0]["turn_id"] == replies[0]["turn_id"]
