"""A waiting receive gets a delayed message when it is due (the turn deadline relies on it), as SQS does."""

from __future__ import annotations

from collections.abc import Callable

import boto3
from moto import mock_aws

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.sqs import WAKE_WHEN_DUE


def _delayed_message_received_within_the_wait() -> bool:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="deadlines")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="due in a second", DelaySeconds=1)
        # It is due within this wait (sent before the receive began); SQS returns it when it is due.
        received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        return [m["Body"] for m in received] == ["due in a second"]


def test_a_waiting_receive_gets_a_delayed_message_when_it_is_due(moto_patch: Callable[..., None]) -> None:
    if PATCHES.is_applied(WAKE_WHEN_DUE.name):
        PATCHES.undo(WAKE_WHEN_DUE.name)
        try:
            assert not _delayed_message_received_within_the_wait()  # moto alone: a second late, so missed
        finally:
            PATCHES.apply(WAKE_WHEN_DUE.name)
    else:
        assert not _delayed_message_received_within_the_wait()
        moto_patch(WAKE_WHEN_DUE.name)
    assert _delayed_message_received_within_the_wait()
