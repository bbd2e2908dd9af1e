"""Moto-backed choreography: bus, rules, queues and tables built from the manifest, and a driver
that plays the Lambda event-source mappings (SQS -> handler) until the system is quiet.

The manifest is provisioned once for the folder and reset between tests (tables, queues, archive).
"""

from __future__ import annotations

import importlib
import json
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.embedded.provision import Provisioned, provision
from aicc.seed import seed_reference_data
from contracts.frames import WEBSOCKET_ROUTES
from contracts.manifest import manifest
from tests.moto_frames import moto_frames

ACCOUNT = "123456789012"
REGION = "us-east-1"
CALLBACK_URL = "https://chat0001.execute-api.us-east-1.amazonaws.com/test"


def _handler(dotted: str) -> Callable[[dict[str, Any], Any], Any]:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


class LambdaContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.memory_limit_in_mb = 256
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


class Choreography:
    def __init__(self, provisioned: Provisioned) -> None:
        self.provisioned = provisioned
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.invocations: dict[str, int] = {}
        self.failures: dict[str, int] = {}
        self._identities: dict[str, tuple[str, str, str | None]] = {}

    # --- the WebSocket side ------------------------------------------------------------------

    def connect(self, user_id: str = "cust-0001", role: str = "customer", dealer_id: str | None = None) -> str:
        connection_id = uuid.uuid4().hex[:12] + "="
        event = {
            "requestContext": {
                "routeKey": "$connect",
                "eventType": "CONNECT",
                "connectionId": connection_id,
                "authorizer": {"user_id": user_id, "role": role, "dealer_id": dealer_id or "", "principalId": user_id},
            }
        }
        response = _handler(WEBSOCKET_ROUTES["$connect"][0])(event, LambdaContext("ws-connect"))
        assert response["statusCode"] == 200
        self._identities[connection_id] = (user_id, role, dealer_id)
        return connection_id

    def send_raw(self, connection_id: str, body: str) -> dict[str, Any]:
        user_id, role, dealer_id = self._identities[connection_id]
        try:
            route = json.loads(body).get("action")
        except (json.JSONDecodeError, AttributeError):
            route = None
        route_key = route if route in WEBSOCKET_ROUTES else "$default"
        event = {
            "body": body,
            "isBase64Encoded": False,
            "requestContext": {
                "routeKey": route_key,
                "eventType": "MESSAGE",
                "connectionId": connection_id,
                "messageId": uuid.uuid4().hex,
                "requestId": uuid.uuid4().hex,
                "authorizer": {"user_id": user_id, "role": role, "dealer_id": dealer_id or "", "principalId": user_id},
            },
        }
        response = _handler(WEBSOCKET_ROUTES[route_key][0])(event, LambdaContext("ws-ingress"))
        return json.loads(response["body"])  # type: ignore[no-any-return]

    def send(
        self, connection_id: str, text: str, *, conversation_id: str | None = None, client_message_id: str | None = None
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "action": "sendMessage",
            "text": text,
            "client_message_id": client_message_id or str(uuid.uuid4()),
        }
        if conversation_id:
            frame["conversation_id"] = conversation_id
        return self.send_raw(connection_id, json.dumps(frame))

    def frames(self, connection_id: str) -> list[dict[str, Any]]:
        """Frames pushed over @connections to this connection (moto keeps them concatenated)."""
        return moto_frames(connection_id, account=ACCOUNT, region=REGION)

    # --- the event-source mappings -----------------------------------------------------------

    def receive(self, agent: str, max_messages: int = 10) -> list[dict[str, Any]]:
        return self.sqs.receive_message(
            QueueUrl=self.provisioned.queue_urls[agent],
            MaxNumberOfMessages=max_messages,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])

    def deliver(self, agent: str, messages: list[dict[str, Any]], *, delete: bool = True) -> dict[str, Any]:
        """Invoke the agent's handler with these messages, then delete what it did not report failed."""
        spec = manifest().agent(agent)
        event = sqs_event(messages, self.provisioned.queue_arns[agent])
        self.invocations[agent] = self.invocations.get(agent, 0) + 1
        try:
            response = _handler(spec.handler)(event, LambdaContext(agent))
        except Exception:
            self.failures[agent] = self.failures.get(agent, 0) + len(messages)
            return {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        self.failures[agent] = self.failures.get(agent, 0) + len(failed)
        if delete:
            done = [m for m in messages if m["MessageId"] not in failed]
            for start in range(0, len(done), 10):
                self.sqs.delete_message_batch(
                    QueueUrl=self.provisioned.queue_urls[agent],
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done[start : start + 10])
                    ],
                )
        return response  # type: ignore[no-any-return]

    def pump(
        self,
        *,
        skip: frozenset[str] = frozenset(),
        drop: frozenset[str] = frozenset(),
        rng: random.Random | None = None,
        max_rounds: int = 50,
    ) -> None:
        """Deliver messages until every queue (but `skip`) is empty; `drop` agents are down."""
        agents = [a.name for a in manifest().agents if a.name not in skip]
        for _ in range(max_rounds):
            if rng:
                rng.shuffle(agents)
            moved = False
            for agent in agents:
                messages = self.receive(agent)
                if not messages:
                    continue
                moved = True
                if agent in drop:
                    for m in messages:  # the agent is down: its input is lost for this test
                        self.sqs.delete_message(
                            QueueUrl=self.provisioned.queue_urls[agent], ReceiptHandle=m["ReceiptHandle"]
                        )
                    continue
                self.deliver(agent, messages)
            if not moved:
                return
        raise AssertionError("the choreography did not go quiet")

    def replies(self, connection_id: str) -> list[dict[str, Any]]:
        return [f for f in self.frames(connection_id) if f.get("type") == "reply"]


@pytest.fixture(scope="package")
def _provisioned() -> Iterator[Provisioned]:
    """The manifest provisioned on moto once for this folder's tests; `aws` empties it between tests.

    Package scope, not session: mock_aws patches botocore for the whole process while it is active,
    and the embedded tests talk to a real moto server."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in _SESSION_ENV.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            yield provision(
                manifest(),
                events=boto3.client("events", region_name=REGION),
                sqs=boto3.client("sqs", region_name=REGION),
                dynamodb=boto3.client("dynamodb", region_name=REGION),
                s3=boto3.client("s3", region_name=REGION),
            )


_SESSION_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}


def _reset(provisioned: Provisioned) -> None:
    """Back to freshly provisioned: empty tables and queues, an empty archive, no replays, no frames."""
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
    from moto.events.models import events_backends
    from moto.sqs.models import sqs_backends

    from aicc.runtime.tables import TABLES, table_name

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for name, spec in TABLES.items():
        keys = [spec.hash_key, *([spec.range_key] if spec.range_key else [])]
        for page in dynamodb.get_paginator("scan").paginate(
            TableName=table_name(name),
            ProjectionExpression=", ".join(f"#k{i}" for i in range(len(keys))),
            ExpressionAttributeNames={f"#k{i}": key for i, key in enumerate(keys)},
        ):
            for item in page.get("Items", []):
                dynamodb.delete_item(TableName=table_name(name), Key=item)
    # PurgeQueue allows one purge a minute per queue: empty moto's queues directly (delayed and in flight too).
    for queue in sqs_backends[ACCOUNT][REGION].queues.values():
        queue._messages.clear()
    events = events_backends[ACCOUNT][REGION]
    events.replays.clear()
    for archive in events.archives.values():
        archive.events.clear()
    apigatewaymanagementapi_backends[ACCOUNT][REGION].connections.clear()


@pytest.fixture
def aws(_provisioned: Provisioned, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provisioned]:
    for name, value in _provisioned.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AICC_CALLBACK_URL", CALLBACK_URL)
    # This harness pumps one queue per agent: the deadlines (their own queue in the stack, docs/load.md)
    # reach the aggregator through its queue here; when they come is what these tests look at.
    monkeypatch.setenv("AICC_DEADLINE_QUEUE_URL", _provisioned.queue_urls["aggregator"])
    _reset(_provisioned)  # also what a test in this folder that brought its own mock_aws left behind
    seed_reference_data()
    yield _provisioned
    _reset(_provisioned)


@pytest.fixture
def chat(aws: Provisioned) -> Choreography:
    return Choreography(aws)
