"""SQS message-move tasks (DLQ redrive) behave as the SQS API reference documents them.

moto implements none of StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask; the
`sqs-message-move-tasks` correctness patch adds them, so `aicc dlq redrive` runs the same code on AWS
and on the embedded stack. What is checked is the documented contract: the source must be a
dead-letter queue of another queue; without a DestinationArn each message goes back to the queue it
was dead-lettered from; with one, to it; the task reports Status and ApproximateNumberOfMessagesMoved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.sqs import MESSAGE_MOVE_TASKS


@pytest.fixture
def sqs(moto_patch: Callable[..., None]) -> Iterator[Any]:
    moto_patch(MESSAGE_MOVE_TASKS.name)
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def _arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _queue_with_dlq(sqs: Any, name: str, dlq_url: str) -> str:
    policy = {"deadLetterTargetArn": _arn(sqs, dlq_url), "maxReceiveCount": 1}
    return str(sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"])


def _dead_letter(sqs: Any, url: str, *bodies: str) -> None:
    """Send `bodies` and fail each once: maxReceiveCount 1 moves them to the DLQ at the next receive."""
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert len(received.get("Messages", [])) == len(bodies)
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)


def _bodies(sqs: Any, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_a_redrive_without_destination_returns_each_message_to_the_queue_it_failed_in(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    orders = _queue_with_dlq(sqs, "orders", dlq)
    refunds = _queue_with_dlq(sqs, "refunds", dlq)
    _dead_letter(sqs, orders, "order-1", "order-2")
    _dead_letter(sqs, refunds, "refund-1")

    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    assert handle

    [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert task["SourceArn"] == _arn(sqs, dlq)
    assert _bodies(sqs, orders) == ["order-1", "order-2"]
    assert _bodies(sqs, refunds) == ["refund-1"]
    assert _bodies(sqs, dlq) == []


def test_a_redriven_message_is_a_new_message_that_gets_its_retries_again(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    jobs = _queue_with_dlq(sqs, "jobs", dlq)
    _dead_letter(sqs, jobs, "job-1")
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    received = sqs.receive_message(QueueUrl=jobs, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in received] == [("job-1", "1")]


def test_a_redrive_with_a_destination_moves_every_message_there(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName="mail-dlq")["QueueUrl"]
    mail = _queue_with_dlq(sqs, "mail", dlq)
    elsewhere = sqs.create_queue(QueueName="mail-retry")["QueueUrl"]
    _dead_letter(sqs, mail, "m-1", "m-2")

    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, elsewhere))

    [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq), MaxResults=10)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"], task["DestinationArn"]) == (
        "COMPLETED",
        2,
        _arn(sqs, elsewhere),
    )
    assert "TaskHandle" not in task  # a handle is listed only while a task runs
    assert _bodies(sqs, elsewhere) == ["m-1", "m-2"]
    assert _bodies(sqs, mail) == []


def test_the_source_must_be_a_dead_letter_queue_and_queues_must_exist(sqs: Any) -> None:
    plain = sqs.create_queue(QueueName="plain")["QueueUrl"]
    with pytest.raises(ClientError) as not_a_dlq:
        sqs.start_message_move_task(SourceArn=_arn(sqs, plain))
    assert not_a_dlq.value.response["Error"]["Code"] == "InvalidParameterValue"
    missing = _arn(sqs, plain).replace(":plain", ":no-such-queue")
    with pytest.raises(ClientError) as no_queue:
        sqs.list_message_move_tasks(SourceArn=missing)
    assert no_queue.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_tasks_are_listed_newest_first_and_a_finished_task_cannot_be_cancelled(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName="q-dlq")["QueueUrl"]
    queue = _queue_with_dlq(sqs, "q", dlq)
    _dead_letter(sqs, queue, "first")
    first = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)
    _dead_letter(sqs, queue, "second")
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    listed = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq), MaxResults=10)["Results"]
    assert [t["ApproximateNumberOfMessagesMoved"] for t in listed] == [2, 1]
    assert [t["ApproximateNumberOfMessagesToMove"] for t in listed] == [2, 1]
    with pytest.raises(ClientError) as finished:
        sqs.cancel_message_move_task(TaskHandle=first)
    assert finished.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_undo_leaves_moto_without_the_added_actions() -> None:
    from moto.sqs.responses import SQSResponse

    with PATCHES.applied(MESSAGE_MOVE_TASKS.name):
        assert hasattr(SQSResponse, "start_message_move_task")
    assert not hasattr(SQSResponse, "start_message_move_task")
