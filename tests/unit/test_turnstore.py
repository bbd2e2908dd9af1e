"""The turn store's join and reply claim on moto: duplicates and reordering change nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.runtime import clients
from aicc.runtime.tables import TABLES, create_table_kwargs
from aicc.runtime.turnstore import CLAIM_LEASE_S, TurnStore


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[TurnStore]:
    monkeypatch.setenv("AICC_TABLE_PREFIX", "aicc-")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        clients.reset()
        db: Any = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(**create_table_kwargs(TABLES["turns"], "aicc-"))
        yield TurnStore("aggregator")
        clients.reset()


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


def test_the_reply_is_claimed_once_with_its_result_recorded(store: TurnStore) -> None:
    store.record_all("t1", {"ConversationReceived": {"text": "hi"}})
    first = store.record_and_claim("t1", "ResponseComposed", {"text": "hello"})
    assert first is not None and first.claimed
    assert first.results["ResponseComposed"] == {"text": "hello"}
    # A duplicate delivery, and the deadline, both find the turn claimed.
    assert store.record_and_claim("t1", "ResponseComposed", {"text": "hello again"}) is None
    assert store.claim("t1") is False


def test_a_response_before_its_message_is_retried_and_claims_nothing(store: TurnStore) -> None:
    with pytest.raises(RuntimeError, match="before the turn's ConversationReceived"):
        store.record_and_claim("t2", "ResponseComposed", {"text": "early"})
    store.record_all("t2", {"ConversationReceived": {"text": "hi"}})
    assert store.record_and_claim("t2", "ResponseComposed", {"text": "on time"}) is not None


def test_a_claim_never_delivered_can_be_taken_again_after_its_lease(
    store: TurnStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.record_all("t3", {"ConversationReceived": {"text": "hi"}})
    assert store.claim("t3")  # e.g. the deadline's attempt, which then crashed before delivering
    assert store.record_and_claim("t3", "ResponseComposed", {"text": "x"}) is None
    later = time.time() + CLAIM_LEASE_S + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert store.record_and_claim("t3", "ResponseComposed", {"text": "x"}) is not None
    store.mark_delivered("t3", "delivered")
    assert store.claim("t3") is False
