"""The stand-in's receipt handles have moto's shape, are new at every receive and delete what they name."""

from __future__ import annotations

import string
from typing import Any

import boto3
from moto import mock_aws

from aicc.embedded.moto.patches.sqs import RECEIPT_HANDLES_IN_ONE_DRAW
from tests.embedded.patched import answers_as_moto


def _receive_twice_then_delete() -> dict[str, Any]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m")
        first = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        second = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=second)
        left = sqs.receive_message(QueueUrl=url).get("Messages", [])
        return {
            "shapes": {(len(h), set(h) <= set(string.ascii_lowercase)) for h in (first, second)},
            "new_each_receive": first != second,
            "left_after_delete": len(left),
        }


def test_receipt_handles_are_as_moto_makes_them() -> None:
    from moto.sqs import models

    expected = answers_as_moto(
        models, "generate_receipt_handle", RECEIPT_HANDLES_IN_ONE_DRAW.name, _receive_twice_then_delete
    )
    assert expected == {"shapes": {(185, True)}, "new_each_receive": True, "left_after_delete": 0}
