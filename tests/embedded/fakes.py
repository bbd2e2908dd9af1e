"""Fake Lambda handlers and a recorder, so the embedded machinery is tested without the real agents.

Handlers run in the stack's thread pool; the recorder is thread-safe and lets a test wait, with a
deadline, for what it expects instead of sleeping.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3

from aicc.embedded.invoke import LambdaHandler
from contracts.manifest import AgentSpec, Manifest, Subscription


class Recorder:
    """Every (function name, event, context) a fake handler received."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.calls: list[tuple[str, dict[str, Any], Any]] = []

    def record(self, name: str, event: dict[str, Any], context: Any) -> None:
        with self._condition:
            self.calls.append((name, event, context))
            self._condition.notify_all()

    def events(self, name: str) -> list[dict[str, Any]]:
        with self._condition:
            return [event for called, event, _ in self.calls if called == name]

    def contexts(self, name: str) -> list[Any]:
        with self._condition:
            return [context for called, _, context in self.calls if called == name]

    def records(self, name: str) -> list[dict[str, Any]]:
        """SQS records over every invocation of `name`, in delivery order."""
        return [record for event in self.events(name) for record in event["Records"]]

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout_s} s; calls: {[c[0] for c in self.calls]}")
                self._condition.wait(remaining)


def recording(recorder: Recorder, name: str, behaviour: LambdaHandler | None = None) -> LambdaHandler:
    """A handler that records its input, then does `behaviour` (default: succeed, return None)."""

    def handler(event: dict[str, Any], context: Any) -> Any:
        recorder.record(name, event, context)
        return behaviour(event, context) if behaviour else None

    return handler


def resolver_for(handlers: dict[str, LambdaHandler]) -> Callable[[str], LambdaHandler]:
    def resolve(dotted_path: str) -> LambdaHandler:
        try:
            return handlers[dotted_path]
        except KeyError:
            raise ModuleNotFoundError(f"no fake handler for {dotted_path}") from None

    return resolve


# --- a one-agent choreography for the poller tests ---------------------------------------------

RECEIVED = Subscription(
    name="conversation", pattern={"source": ["aicc.ingress"], "detail-type": ["ConversationReceived"]}
)


def single_agent_manifest(*, batch_size: int = 10, max_receive_count: int = 5) -> Manifest:
    agent = AgentSpec(
        name="intent",
        handler="fake.intent.handler",
        consumes=[RECEIVED],
        emits=["IntentDetected"],
        batch_size=batch_size,
        max_receive_count=max_receive_count,
        timeout_s=5,
    )
    return Manifest(producers={"ingress": ["ConversationReceived"]}, agents=[agent], reply_waits_for=[])


def two_step_manifest() -> Manifest:
    """ingress -> ConversationReceived -> intent -> IntentDetected -> aggregator -> @connections."""
    intent = AgentSpec(name="intent", handler="fake.intent.handler", consumes=[RECEIVED], emits=["IntentDetected"])
    aggregator = AgentSpec(
        name="aggregator",
        handler="fake.aggregator.handler",
        consumes=[Subscription(name="turn", pattern={"source": ["aicc.intent"], "detail-type": ["IntentDetected"]})],
        emits=["ReplySent"],
        pushes_to_connections=True,
    )
    return Manifest(producers={"ingress": ["ConversationReceived"]}, agents=[intent, aggregator], reply_waits_for=[])


# --- gateway fakes ------------------------------------------------------------------------------

GATEWAY_ROUTES: dict[str, tuple[str, bool]] = {
    "$connect": ("fake.connect.handler", False),
    "$disconnect": ("fake.disconnect.handler", False),
    "sendMessage": ("fake.ingress.handler", True),
    "silent": ("fake.silent.handler", False),
    "explode": ("fake.explode.handler", True),
    "$default": ("fake.default.handler", True),
}


def fake_authorizer(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    token = (event.get("queryStringParameters") or {}).get("token")
    if token == "boom":
        raise RuntimeError("the authorizer crashed")
    if token not in ("good", "deny", "refuse", "nested"):
        raise Exception("Unauthorized")  # the message API Gateway maps to 401
    effect = "Deny" if token == "deny" else "Allow"
    context: dict[str, Any] = {"role": "customer", "user_id": "u-1", "refuse": token == "refuse"}
    if token == "nested":
        context["claims"] = {"not": "allowed"}
    return {
        "principalId": "u-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
        "context": context,
    }


def fake_connect(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    if event["requestContext"]["authorizer"].get("refuse"):
        return {"statusCode": 429, "body": "slow down"}
    return {"statusCode": 200}


def fake_ingress(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    context = event["requestContext"]
    frame = {"type": "ack", "route": context["routeKey"], "connection_id": context["connectionId"]}
    return {"statusCode": 200, "body": json.dumps(frame)}


def fake_default(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"type": "error", "route": event["requestContext"]["routeKey"]})}


def fake_silent(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"type": "should-not-be-sent"})}


def fake_explode(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
    raise ValueError("integration failure")


def gateway_handlers(recorder: Recorder) -> dict[str, LambdaHandler]:
    behaviours: dict[str, LambdaHandler] = {
        "fake.authorizer.handler": fake_authorizer,
        "fake.connect.handler": fake_connect,
        "fake.disconnect.handler": lambda _e, _c: {"statusCode": 200},
        "fake.ingress.handler": fake_ingress,
        "fake.silent.handler": fake_silent,
        "fake.explode.handler": fake_explode,
        "fake.default.handler": fake_default,
    }
    return {path: recording(recorder, path, behaviour) for path, behaviour in behaviours.items()}


# --- a whole turn through the stack: ingress -> bus -> intent -> bus -> aggregator -> @connections ---


class TurnHandlers:
    """Handlers that use boto3 exactly as the real ones do: endpoints come from the environment only."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        # Keyed by endpoint and credentials: each stack in a test run has its own moto port and its
        # own fresh credentials (the gateway refuses a push signed with another start's), and a port
        # can come round again in a later test.
        key = (service, os.environ.get("AWS_ENDPOINT_URL", ""), os.environ.get("AWS_ACCESS_KEY_ID", ""))
        with self._lock:
            if key not in self._clients:
                # A session of its own: boto3's default session resolves credentials once per process
                # and would keep signing with the first stack's keys.
                make_client: Callable[..., Any] = boto3.session.Session().client
                self._clients[key] = make_client(service)
            return self._clients[key]

    def _publish(self, source: str, detail_type: str, detail: dict[str, Any]) -> None:
        self.client("events").put_events(
            Entries=[
                {
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                    "EventBusName": os.environ["AICC_BUS_NAME"],
                }
            ]
        )

    def ingress(self, event: dict[str, Any], _context: Any) -> dict[str, Any]:
        body = json.loads(event["body"])
        connection_id = event["requestContext"]["connectionId"]
        detail = {"client_message_id": body["client_message_id"], "connection_id": connection_id}
        self._publish("aicc.ingress", "ConversationReceived", detail)
        return {"statusCode": 200, "body": json.dumps({"type": "ack", **detail})}

    def intent(self, event: dict[str, Any], _context: Any) -> None:
        for record in event["Records"]:
            detail = json.loads(record["body"])["detail"]
            self._publish("aicc.intent", "IntentDetected", {**detail, "intent": "greeting"})

    def aggregator(self, event: dict[str, Any], _context: Any) -> None:
        connections = self.client("apigatewaymanagementapi")  # AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI
        for record in event["Records"]:
            detail = json.loads(record["body"])["detail"]
            reply = {"type": "reply", "client_message_id": detail["client_message_id"], "intent": detail["intent"]}
            connections.post_to_connection(ConnectionId=detail["connection_id"], Data=json.dumps(reply).encode())

    def all(self) -> dict[str, LambdaHandler]:
        return {
            **gateway_handlers(self.recorder),
            "fake.ingress.handler": self.ingress,
            "fake.intent.handler": self.intent,
            "fake.aggregator.handler": self.aggregator,
        }
