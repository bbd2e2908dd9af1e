"""The stand-in's HTTP front keeps connections alive, as AWS endpoints do, without mixing up requests."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

import pytest

from aicc.embedded.moto.process import MotoServerProcess

pytestmark = pytest.mark.embedded

_SIGNED = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
)


def _call(connection: http.client.HTTPConnection, service: str, target: str, body: dict[str, Any]) -> Any:
    payload = json.dumps(body).encode()
    connection.request(
        "POST",
        "/",
        body=payload,
        headers={
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": _SIGNED.format(service=service),
        },
    )
    response = connection.getresponse()
    data = response.read()
    assert response.status == 200, data
    assert (response.getheader("Connection") or "").lower() != "close"
    assert connection.sock is not None, "the server closed the connection after answering"
    return json.loads(data)


def test_one_connection_carries_many_requests_each_answered_in_turn(moto: MotoServerProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", moto.port, timeout=10)
    try:
        created = _call(
            connection,
            "sqs",
            "AmazonSQS.CreateQueue",
            {"QueueName": "keepalive"},
        )
        first_socket = connection.sock
        for i in range(5):
            _call(connection, "sqs", "AmazonSQS.SendMessage", {"QueueUrl": created["QueueUrl"], "MessageBody": f"m{i}"})
        received = _call(
            connection,
            "sqs",
            "AmazonSQS.ReceiveMessage",
            {"QueueUrl": created["QueueUrl"], "MaxNumberOfMessages": 10},
        )
        tables = _call(connection, "dynamodb", "DynamoDB_20120810.ListTables", {})
        assert connection.sock is first_socket  # never reconnected
    finally:
        connection.close()
    assert sorted(m["Body"] for m in received["Messages"]) == [f"m{i}" for i in range(5)]
    assert tables == {"TableNames": []}


def test_rules_match_each_sample_event_as_moto_does(moto_patch: Callable[..., None]) -> None:
    """Flattening an event once for all rules (the stand-in's speed-up) decides exactly as moto does."""
    from pathlib import Path

    from moto.events.models import EventPattern

    from aicc.embedded.moto.patches import PATCHES
    from aicc.embedded.moto.patches.events import FLATTEN_EACH_EVENT_ONCE
    from contracts.manifest import manifest

    patterns = [EventPattern.load(json.dumps(s.pattern)) for a in manifest().agents for s in a.consumes]
    samples = [json.loads(p.read_text()) for p in sorted(Path("events/bus").glob("*.json"))]
    assert len(patterns) > 10 and len(samples) > 10
    expected = [[p.matches_event(e) for p in patterns] for e in samples]
    moto_patch(FLATTEN_EACH_EVENT_ONCE.name)
    assert PATCHES.is_applied(FLATTEN_EACH_EVENT_ONCE.name)
    assert [[p.matches_event(e) for p in patterns] for e in samples] == expected
    assert any(any(row) for row in expected) and not all(all(row) for row in expected)


def test_json_calls_and_their_errors_and_other_protocols_answer_as_on_aws(
    moto: MotoServerProcess, aws: dict[str, Any]
) -> None:
    """JSON-protocol calls skip moto's Flask layer; botocore must still see the same answers and errors."""
    import boto3

    dynamodb = aws["dynamodb"]
    dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "a"}})
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName="t", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        dynamodb.get_item(TableName="missing", Key={"pk": {"S": "a"}})
    sqs = aws["sqs"]
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="missing")
    assert (
        aws["events"].put_events(Entries=[{"Source": "a", "DetailType": "b", "Detail": "{}"}])["FailedEntryCount"] == 0
    )
    # A REST/XML service still goes through moto's own app.
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="aicc-test-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["aicc-test-bucket"]
