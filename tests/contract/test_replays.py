"""The replay results port: the turns a replay re-sent and the replies it produced, per replay."""

from __future__ import annotations

import pytest

from aicc.adapters.memory.clock import Clock
from aicc.ports.replays import RETENTION_S, ReplayResults
from tests.contract.conftest import BACKENDS


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def results(request: pytest.FixtureRequest, clock: Clock) -> ReplayResults:
    if request.param == "memory":
        from aicc.adapters.memory.replays import MemoryReplayResults

        return MemoryReplayResults(clock=clock)
    from aicc.adapters.dynamodb.replays import DynamoDBReplayResults

    return DynamoDBReplayResults(request.getfixturevalue("moto_tables"), "aicc-replays", now=clock.now)


REPLY = {"text": "Your warranty covers...", "route": {"kind": "bot", "queue": None}, "latency_ms": 180.5}


def test_seen_turns_and_replies_read_back_per_replay(results: ReplayResults) -> None:
    results.record_turn("r-1", "t-1")
    results.record_turn("r-1", "t-2")
    results.record_reply("r-1", "t-1", REPLY)
    results.record_turn("r-2", "t-3")
    assert results.turns("r-1") == ({"t-1", "t-2"}, {"t-1": REPLY})
    assert results.turns("r-2") == ({"t-3"}, {})
    assert results.turns("r-unknown") == (set(), {})


def test_a_repeat_overwrites(results: ReplayResults) -> None:
    results.record_turn("r-1", "t-1")
    results.record_turn("r-1", "t-1")
    results.record_reply("r-1", "t-1", REPLY)
    results.record_reply("r-1", "t-1", {**REPLY, "text": "second"})
    assert results.turns("r-1") == ({"t-1"}, {"t-1": {**REPLY, "text": "second"}})


def test_a_reply_is_stored_as_it_was_when_recorded(results: ReplayResults) -> None:
    reply = {"text": "a", "sources": []}
    results.record_reply("r-1", "t-1", reply)
    reply["sources"].append("changed later")  # type: ignore[attr-defined]
    assert results.turns("r-1")[1] == {"t-1": {"text": "a", "sources": []}}


def test_a_reply_recorded_without_its_turn_seen_still_reads(results: ReplayResults) -> None:
    results.record_reply("r-1", "t-1", REPLY)
    assert results.turns("r-1") == (set(), {"t-1": REPLY})


def test_many_turns_of_one_replay_are_all_read(results: ReplayResults) -> None:
    """More than one page of a Query (1 MB) on DynamoDB."""
    big = {"text": "x" * 4000}
    for i in range(300):
        results.record_turn("r-1", f"t-{i}")
        results.record_reply("r-1", f"t-{i}", big)
    seen, replies = results.turns("r-1")
    assert len(seen) == 300 and len(replies) == 300


def test_results_past_their_retention_read_as_absent(results: ReplayResults, clock: Clock) -> None:
    results.record_turn("r-1", "t-1")
    results.record_reply("r-1", "t-1", REPLY)
    clock.advance(RETENTION_S - 10)
    assert results.turns("r-1") == ({"t-1"}, {"t-1": REPLY})
    clock.advance(20)
    assert results.turns("r-1") == (set(), {})
