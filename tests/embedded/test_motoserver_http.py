"""The stand-in's HTTP front keeps connections alive, as AWS endpoints do, without mixing up requests."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from aicc.embedded.motoserver import MotoServerProcess

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
