"""The turn store's contract, on memory and on moto: duplicates and reordering change nothing, one
write's view of a turn is what is stored, the reply is claimed once (with a lease)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from aicc.adapters.memory.clock import Clock
from aicc.ports.turns import CLAIM_LEASE_S, TURN_TTL_S, MessageNotRecorded, TurnStore, TurnStores, join_scope
from tests.contract.conftest import BACKENDS


@dataclass
class Backend:
    name: str
    stores: TurnStores
    clock: Clock


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    clock = Clock()
    if request.param == "memory":
        from aicc.adapters.memory.turns import MemoryTurns

        yield Backend("memory", MemoryTurns(clock).store, clock)
        return
    request.getfixturevalue("moto_tables")
    from aicc.adapters.dynamodb.turns import DynamoDBTurnStore

    yield Backend("moto", lambda scope: DynamoDBTurnStore(scope, now=clock.now), clock)


@pytest.fixture
def store(backend: Backend) -> TurnStore:
    return backend.stores("aggregator")


def test_results_join_in_any_order_and_the_first_copy_stands(store: TurnStore) -> None:
    store.record_all("t1", {"IntentDetected": {"intent": "recall_check"}})
    store.record_all("t1", {"IntentDetected": {"intent": "changed by a duplicate"}})
    state = store.record_all("t1", {"ConversationReceived": {"text": "hi"}}).after
    assert state.results == {"IntentDetected": {"intent": "recall_check"}, "ConversationReceived": {"text": "hi"}}
    assert not state.claimed


def test_results_recorded_together_show_the_state_found_and_the_state_left(store: TurnStore) -> None:
    first = store.record_all("t4", {"IntentDetected": {"intent": "recall_check"}})
    assert first.before.results == {} and first.after.results == {"IntentDetected": {"intent": "recall_check"}}
    both = store.record_all(
        "t4", {"ConversationReceived": {"text": "hi"}, "IntentDetected": {"intent": "changed by a duplicate"}}
    )
    assert both.before.results == {"IntentDetected": {"intent": "recall_check"}}
    assert both.after.results == {"IntentDetected": {"intent": "recall_check"}, "ConversationReceived": {"text": "hi"}}
    # What the write reports leaving is what is stored.
    stored = store.load("t4")
    assert stored is not None and stored.results == both.after.results


def test_recording_nothing_is_refused(store: TurnStore) -> None:
    with pytest.raises(ValueError):
        store.record_all("t1", {})
    assert store.load("t1") is None


def test_details_keep_their_values(store: TurnStore) -> None:
    detail: dict[str, Any] = {"score": 0.25, "items": [{"n": 1}], "none": None, "flag": True}
    store.record_all("t1", {"SentimentAnalyzed": detail})
    stored = store.load("t1")
    assert stored is not None and stored.results == {"SentimentAnalyzed": detail}
    assert stored.turn_id == "t1" and stored.scope == "aggregator"


def test_scopes_are_apart(backend: Backend) -> None:
    aggregator = backend.stores(join_scope("aggregator"))
    replayed = backend.stores(join_scope("aggregator", "replay-1"))
    routing = backend.stores(join_scope("routing"))
    aggregator.record_all("t1", {"ConversationReceived": {"text": "hi"}})
    assert replayed.load("t1") is None and routing.load("t1") is None
    assert replayed.record_all("t1", {"IntentDetected": {}}).before.results == {}
    assert replayed.scope == "aggregator#replay-1"


def test_the_reply_is_claimed_once_with_its_result_recorded(store: TurnStore) -> None:
    store.record_all("t1", {"ConversationReceived": {"text": "hi"}})
    first = store.record_and_claim("t1", "ResponseComposed", {"text": "hello"})
    assert first is not None and first.claimed and not first.delivered
    assert first.results["ResponseComposed"] == {"text": "hello"}
    # A duplicate delivery, and the deadline, both find the turn claimed.
    assert store.record_and_claim("t1", "ResponseComposed", {"text": "hello again"}) is None
    assert store.claim("t1") is False
    stored = store.load("t1")
    assert stored is not None and stored.results["ResponseComposed"] == {"text": "hello"}


def test_a_response_before_its_message_is_retried_and_claims_nothing(store: TurnStore) -> None:
    with pytest.raises(MessageNotRecorded, match="before the turn's ConversationReceived"):
        store.record_and_claim("t2", "ResponseComposed", {"text": "early"})
    store.record_all("t2", {"IntentDetected": {}})
    with pytest.raises(RuntimeError, match="before the turn's ConversationReceived"):
        store.record_and_claim("t2", "ResponseComposed", {"text": "early"})
    stored = store.load("t2")
    assert stored is not None and not stored.claimed and "ResponseComposed" not in stored.results
    store.record_all("t2", {"ConversationReceived": {"text": "hi"}})
    assert store.record_and_claim("t2", "ResponseComposed", {"text": "on time"}) is not None


def test_a_claim_never_delivered_can_be_taken_again_after_its_lease(backend: Backend, store: TurnStore) -> None:
    store.record_all("t3", {"ConversationReceived": {"text": "hi"}})
    assert store.claim("t3")  # e.g. the deadline's attempt, which then crashed before delivering
    assert store.record_and_claim("t3", "ResponseComposed", {"text": "x"}) is None
    backend.clock.advance(CLAIM_LEASE_S - 1)
    assert store.claim("t3") is False
    backend.clock.advance(2)
    assert store.record_and_claim("t3", "ResponseComposed", {"text": "x"}) is not None
    store.mark_delivered("t3", "delivered")
    backend.clock.advance(CLAIM_LEASE_S + 1)
    assert store.claim("t3") is False
    stored = store.load("t3")
    assert stored is not None and stored.claimed and stored.delivered


@pytest.mark.parametrize("backend", [BACKENDS[0]], indirect=True)
def test_concurrent_writes_complete_a_join_exactly_once(store: TurnStore) -> None:
    # In-process moto does not serialize writes to an item (DynamoDB does, and so does the embedded
    # stand-in's patched moto, checked in tests/embedded/test_motoserver_atomicity.py).
    kinds = [f"Result{i}" for i in range(8)]
    completed: list[str] = []
    start = threading.Barrier(len(kinds))

    def record(kind: str) -> None:
        start.wait()
        recorded = store.record_all("t5", {kind: {}})
        if len(recorded.after.results) == len(kinds):
            completed.append(kind)

    threads = [threading.Thread(target=record, args=(kind,)) for kind in kinds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(completed) == 1


@pytest.mark.parametrize("backend", [BACKENDS[0]], indirect=True)
def test_a_turn_expires_after_its_ttl(backend: Backend) -> None:
    # DynamoDB deletes expired items on its own schedule (moto never does): callers may only rely
    # on a turn being gone some time after TURN_TTL_S, which the memory adapter makes exact.
    store = backend.stores("aggregator")
    store.record_all("t6", {"ConversationReceived": {"text": "hi"}})
    backend.clock.advance(TURN_TTL_S - 1)
    assert store.load("t6") is not None
    backend.clock.advance(1)
    assert store.load("t6") is None
    assert store.record_all("t6", {"IntentDetected": {}}).before.results == {}
