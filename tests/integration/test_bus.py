"""The EventBridge/SQS bus on moto: PutEvents in batches of ten with refused indexes, and turn
deadlines as one delayed SendMessageBatch to the sender's queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.runtime import clients
from aicc.runtime.bus import EventBridgeBus, parse_event
from contracts.events import TurnDeadline

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "bus"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        clients.reset()
        sqs: Any = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="aggregator-deadlines")["QueueUrl"]
        monkeypatch.setenv("AICC_DEADLINE_QUEUE_URL", queue_url)
        yield sqs, queue_url
        # moto's state is shared with any other mock_aws active in the session: leave no queue behind.
        sqs.delete_queue(QueueUrl=queue_url)
        clients.reset()


def test_deadlines_go_out_as_one_delayed_batch_shaped_like_bus_events(aws: Any) -> None:
    sqs, queue_url = aws
    sample = parse_event((SAMPLES / "TurnDeadline.json").read_text()).detail
    assert isinstance(sample, TurnDeadline)
    deadlines = [sample.model_copy(update={"deadline_s": 0}) for _ in range(3)]
    EventBridgeBus().schedule_deadlines(deadlines, source="aicc.aggregator")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 3
    back = parse_event(messages[0]["Body"])
    assert back.detail_type == "TurnDeadline" and back.source == "aicc.aggregator"
    assert back.detail == deadlines[0]


def test_without_a_deadline_queue_nothing_is_scheduled(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AICC_DEADLINE_QUEUE_URL")
    sample = parse_event((SAMPLES / "TurnDeadline.json").read_text()).detail
    assert isinstance(sample, TurnDeadline)
    EventBridgeBus().schedule_deadlines([sample], source="aicc.aggregator")  # warns, does not raise


def test_publishing_reports_no_refusals_when_the_bus_takes_everything(aws: Any) -> None:
    events: Any = boto3.client("events", region_name="us-east-1")
    events.create_event_bus(Name="aicc-test")
    detail = parse_event((SAMPLES / "IntentDetected.json").read_text()).detail
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AICC_BUS_NAME", "aicc-test")
        assert EventBridgeBus().publish([detail] * 12, source="aicc.intent") == []


def test_entries_the_bus_refuses_are_reported_by_index(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    detail = parse_event((SAMPLES / "IntentDetected.json").read_text()).detail
    calls: list[int] = []

    class Events:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            calls.append(len(Entries))
            # The second entry of each request is refused.
            refused = [{"ErrorCode": "InternalFailure"} if i == 1 else {} for i in range(len(Entries))]
            return {"FailedEntryCount": 1, "Entries": refused}

    monkeypatch.setattr("aicc.runtime.bus.client", lambda service: Events())
    assert EventBridgeBus().publish([detail] * 12, source="aicc.intent") == [1, 11]
    assert calls == [10, 2]
