"""`aicc dlq list` and `aicc dlq redrive AGENT` on moto, over the manifest's queues and DLQs.

A poison message fails its agent's maxReceiveCount and lands in the agent's DLQ; the list shows it
(count, age, sample) for that agent only; a redrive (an SQS message-move task, added to moto by the
`sqs-message-move-tasks` correctness patch) moves it back to the agent's queue, and the DLQ is empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc import cli
from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.sqs import MESSAGE_MOVE_TASKS
from aicc.embedded.provision import Provisioned, provision
from contracts.manifest import manifest

PREFIX = "aicc-dlq-cli-"
POISON = '{"detail-type": "ConversationReceived", "detail": {"text": 5e99999}}'


@pytest.fixture(scope="module")
def _provisioned() -> Iterator[Provisioned]:
    with pytest.MonkeyPatch.context() as env, PATCHES.applied(MESSAGE_MOVE_TASKS.name), mock_aws():
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        region = "us-east-1"
        yield provision(
            manifest(),
            events=boto3.client("events", region_name=region),
            sqs=boto3.client("sqs", region_name=region),
            dynamodb=boto3.client("dynamodb", region_name=region),
            prefix=PREFIX,
        )


@pytest.fixture
def aws(_provisioned: Provisioned, monkeypatch: pytest.MonkeyPatch) -> Provisioned:
    from moto.sqs.models import sqs_backends

    monkeypatch.setenv("AICC_TABLE_PREFIX", PREFIX)
    # A real AWS endpoint keeps `aicc dlq` from pointing boto3 at the embedded stack; moto answers it.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://sqs.us-east-1.amazonaws.com")
    for queue in sqs_backends["123456789012"]["us-east-1"].queues.values():
        queue._messages.clear()
    return _provisioned


def _poison(aws: Provisioned, agent: str) -> None:
    """Send a message the agent keeps failing: received maxReceiveCount times, it moves to the DLQ."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws.queue_urls[agent]
    sqs.send_message(QueueUrl=url, MessageBody=POISON)
    attempts = next(a.max_receive_count for a in manifest().agents if a.name == agent)
    for _ in range(attempts):
        assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = cli.main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_list_shows_each_agents_dead_letters_and_redrive_moves_them_back(
    aws: Provisioned, capsys: pytest.CaptureFixture[str]
) -> None:
    _poison(aws, "intent")
    _poison(aws, "intent")

    code, rows = _run(capsys, "dlq", "list", "--json")
    assert code == 0
    assert [row["agent"] for row in rows] == [a.name for a in manifest().agents]
    by_agent = {row["agent"]: row for row in rows}
    intent = by_agent["intent"]
    assert (intent["messages"], intent["sample"]) == (2, POISON)
    assert intent["dlq"].endswith(f":{PREFIX}intent-dlq")
    assert intent["oldest_age_s"] is not None and 0 <= intent["oldest_age_s"] < 60
    assert all(row["messages"] == 0 and row["sample"] is None for name, row in by_agent.items() if name != "intent")

    code, redriven = _run(capsys, "dlq", "redrive", "intent", "--json")
    assert code == 0
    assert (redriven["status"], redriven["moved"]) == ("COMPLETED", 2)
    assert redriven["destination"].endswith(f":{PREFIX}intent-queue")

    sqs = boto3.client("sqs", region_name="us-east-1")
    back = sqs.receive_message(QueueUrl=aws.queue_urls["intent"], MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in back] == [POISON, POISON]
    _, [intent] = _run(capsys, "dlq", "list", "intent", "--json")
    assert (intent["messages"], intent["sample"]) == (0, None)


def test_the_peek_leaves_dead_letters_in_place_for_the_redrive(
    aws: Provisioned, capsys: pytest.CaptureFixture[str]
) -> None:
    _poison(aws, "servicing")
    for _ in range(3):
        _, [servicing] = _run(capsys, "dlq", "list", "servicing", "--json")
        assert servicing["messages"] == 1
    _, redriven = _run(capsys, "dlq", "redrive", "servicing", "--json")
    assert redriven["moved"] == 1


def test_an_unknown_agent_is_refused_with_the_known_ones(aws: Provisioned, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["dlq", "redrive", "nobody"]) == 2
    assert "unknown agents: ['nobody']" in capsys.readouterr().err


def test_the_text_table_has_a_row_per_agent(aws: Provisioned, capsys: pytest.CaptureFixture[str]) -> None:
    _poison(aws, "aggregator")
    assert cli.main(["dlq", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["agent", "messages", "in", "flight"]
    aggregator = next(line for line in lines if line.startswith("aggregator "))
    assert aggregator.split()[1:3] == ["1", "0"] and "ConversationReceived" in aggregator
