"""Joins record a batch's results with one write per turn. The aggregator answers each turn once
however its messages are batched, ordered and duplicated; routing decides after the reply, from the
turn the reply was composed from."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aicc.embedded.observe import observing_shared_clients
from tests.choreography.conftest import Choreography


def _types(messages: list[dict[str, Any]]) -> list[str]:
    return [json.loads(m["Body"])["detail-type"] for m in messages]


@pytest.fixture
def turn_writes() -> Iterator[list[str]]:
    """The operations this test's handlers sent to the turns table."""
    seen: list[str] = []

    def listen(service: str, operation: str, params: Mapping[str, Any], _: Mapping[str, Any]) -> None:
        if service == "dynamodb" and params.get("TableName", "").endswith("turns"):
            seen.append(operation)

    with observing_shared_clients(listen):
        yield seen


def _aggregator_inbox(chat: Choreography, user: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    """Send a message and run every agent but the aggregator; its queued messages (not yet deleted)."""
    conn = chat.connect(user)
    turn_id = chat.send(conn, text)["turn_id"]
    chat.pump(skip=frozenset({"aggregator"}))
    messages: list[dict[str, Any]] = []
    while batch := chat.receive("aggregator"):
        ours = [m for m in batch if json.loads(m["Body"])["detail"]["meta"]["turn_id"] == turn_id]
        messages.extend(ours)
        if len(ours) < len(batch):  # an earlier turn's deadline
            chat.deliver("aggregator", [m for m in batch if m not in ours])
    return conn, messages


def _assembled(chat: Choreography) -> list[dict[str, Any]]:
    """The TurnAssembled events the response agent gets (it is then given them)."""
    messages = chat.receive("response")
    chat.deliver("response", messages)
    return [json.loads(m["Body"])["detail"] for m in messages]


def test_a_turns_results_in_one_batch_are_one_write_and_one_assembly(
    chat: Choreography, turn_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The turn's own deadline stays out of this batch even when a loaded machine pumps slowly.
    monkeypatch.setenv("AICC_TURN_DEADLINE_S", "60")
    conn, messages = _aggregator_inbox(chat, "cust-0001", "How do I pair my phone with Bluetooth?")
    kinds = {json.loads(m["Body"])["detail-type"] for m in messages}
    assert {"ConversationReceived", "IntentDetected", "KnowledgeRetrieved", "CockpitGuidance"} <= kinds
    assert len(messages) <= 10
    turn_writes.clear()

    response = chat.deliver("aggregator", messages)

    assert response == {"batchItemFailures": []}
    # The message and every result in one write, then the claim and the delivery.
    assert turn_writes == ["UpdateItem", "UpdateItem", "UpdateItem"]
    (assembled,) = _assembled(chat)
    assert set(assembled["results"]) == kinds
    chat.pump()
    (reply,) = chat.replies(conn)
    assert reply["degraded"] is False


def test_routing_publishes_the_route_the_reply_took_after_the_reply(chat: Choreography) -> None:
    conn = chat.connect("cust-0005")
    chat.send(conn, "I want to speak to a human, now")
    chat.pump(skip=frozenset({"routing", "response"}))
    (reply,) = chat.replies(conn)  # routing never ran: the reply did not wait for it
    assembled = chat.receive("routing")
    assert _types(assembled) == ["TurnAssembled"]

    assert chat.deliver("routing", assembled) == {"batchItemFailures": []}

    decided = [json.loads(m["Body"]) for m in chat.receive("analytics") if "RouteDecided" in m["Body"]]
    (route,) = [d["detail"]["route"] for d in decided if d["detail-type"] == "RouteDecided"]
    assert route == reply["route"] and route["kind"] == "human"


def test_the_deadlines_of_a_batchs_turns_are_scheduled_together(
    chat: Choreography, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICC_TURN_DEADLINE_S", "1")
    connections = [chat.connect(f"cust-000{i}") for i in (2, 3)]
    for conn in connections:
        chat.send(conn, "what does the tire pressure light mean?")
    received = chat.receive("aggregator")
    assert [json.loads(m["Body"])["detail-type"] for m in received] == ["ConversationReceived"] * 2
    chat.deliver("aggregator", received)
    # Nobody else answers: each turn's own deadline gives it a (degraded) reply.
    chat.pump(drop=frozenset(a for a in chat.provisioned.queue_urls if a != "aggregator"))
    deadline = time.monotonic() + 10
    while not all(chat.replies(c) for c in connections) and time.monotonic() < deadline:
        time.sleep(0.2)
        chat.pump(drop=frozenset(a for a in chat.provisioned.queue_urls if a != "aggregator"))
    for conn in connections:
        (reply,) = chat.replies(conn)
        assert reply["degraded"] is True


# Drawn independently of how many messages a turn has (that depends on the conversation so far).
_ranks = st.lists(st.integers(0, 99), min_size=16, max_size=16)
_repeats = st.lists(st.integers(0, 15), max_size=16)
_sizes = st.lists(st.integers(1, 10), min_size=32, max_size=32)


def _batches(count: int, ranks: list[int], repeats: list[int], sizes: list[int]) -> list[list[int]]:
    """Every message at least once, some more than once, in any order, cut into batches of 1 to 10."""
    assert count <= len(ranks)
    deliveries = sorted(range(count), key=lambda i: ranks[i])
    for n, index in enumerate(repeats):
        deliveries.insert((n * 7) % (len(deliveries) + 1), index % count)
    batches = []
    for size in sizes:
        if not deliveries:
            break
        batches.append(deliveries[:size])
        deliveries = deliveries[size:]
    return batches + ([deliveries] if deliveries else [])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ranks=_ranks, repeats=_repeats, sizes=_sizes)
def test_any_batching_order_or_duplication_assembles_once_and_replies_once(
    chat: Choreography, ranks: list[int], repeats: list[int], sizes: list[int]
) -> None:
    conn, messages = _aggregator_inbox(chat, "cust-0004", "I want to book a service for my brakes next week")
    for batch in _batches(len(messages), ranks, repeats, sizes):
        # Each delivery is an SQS message of its own carrying the event, as when EventBridge delivers
        # an event twice (one SQS receive never returns a message twice).
        copies = [{**messages[i], "MessageId": f"{messages[i]['MessageId']}-{n}"} for n, i in enumerate(batch)]
        chat.deliver("aggregator", copies, delete=False)
    for start in range(0, len(messages), 10):
        chat.sqs.delete_message_batch(
            QueueUrl=chat.provisioned.queue_urls["aggregator"],
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages[start:][:10])],
        )

    (assembled,) = _assembled(chat)
    assert set(assembled["results"]) == {json.loads(m["Body"])["detail-type"] for m in messages}
    chat.pump()
    assert len(chat.replies(conn)) == 1
