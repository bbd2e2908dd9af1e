"""The event-source mappings behave like Lambda's (against a real moto server process).

Each case runs both ways batches reach a function: the mapping inside the moto process (the embedded
default) and polling over the SQS API."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiobotocore.session import get_session

from aicc.embedded.invoke import InvocationStats, LambdaHandler
from aicc.embedded.moto.process import MotoServerProcess
from aicc.embedded.poller import MappedFunction, MappingChannel, SqsApiPolling, binding_for_agent, outcome_of
from aicc.embedded.provision import Provisioned, provision
from contracts.manifest import Manifest
from contracts.sizing import memory_mb

from .fakes import Recorder, recording, single_agent_manifest

pytestmark = pytest.mark.embedded


@pytest.fixture(params=["in-moto", "sqs-api"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# Short enough that redelivery tests take a couple of seconds; moto re-checks visibility every 1 s.
VISIBILITY_S = 1


def _provision(aws: dict[str, Any], manifest: Manifest) -> Provisioned:
    provisioned = provision(manifest, events=aws["events"], sqs=aws["sqs"], dynamodb=aws["dynamodb"])
    for url in provisioned.queue_urls.values():
        aws["sqs"].set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": str(VISIBILITY_S)})
    return provisioned


@asynccontextmanager
async def running_poller(
    moto: MotoServerProcess,
    manifest: Manifest,
    provisioned: Provisioned,
    handler: LambdaHandler,
    *,
    concurrency: int = 1,
    stats: InvocationStats | None = None,
    transport: str = "in-moto",
) -> AsyncIterator[MappedFunction]:
    agent = manifest.agents[0]
    binding = binding_for_agent(
        agent,
        provisioned.queue_urls[agent.name],
        provisioned.queue_arns[agent.name],
        region="us-east-1",
        concurrency=concurrency,
    )
    with ThreadPoolExecutor(max_workers=4) as executor:
        poller = MappedFunction(binding, handler, executor=executor, stats=stats or InvocationStats())
        if transport == "in-moto":
            assert moto.mappings_address is not None
            channel = MappingChannel(moto.mappings_address)
            await channel.open()
            channel.add(poller)
            try:
                yield poller
            finally:
                await channel.close()
            return
        async with get_session().create_client(
            "sqs",
            region_name="us-east-1",
            endpoint_url=moto.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ) as sqs:
            polling = SqsApiPolling(poller, sqs=sqs)
            polling.start()
            try:
                yield poller
            finally:
                await polling.stop()


def _send(aws: dict[str, Any], queue_url: str, bodies: list[str], **extra: Any) -> None:
    entries = [{"Id": str(i), "MessageBody": body, **extra} for i, body in enumerate(bodies)]
    for start in range(0, len(entries), 10):
        aws["sqs"].send_message_batch(QueueUrl=queue_url, Entries=entries[start : start + 10])


def _queue_counts(aws: dict[str, Any], queue_url: str) -> tuple[int, int]:
    attributes = aws["sqs"].get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


async def _wait(recorder: Recorder, predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    await asyncio.to_thread(recorder.wait_for, predicate, timeout_s)


def test_batches_of_up_to_batch_size_in_lambda_record_shape(
    moto: MotoServerProcess, aws: dict[str, Any], transport: str
) -> None:
    manifest = single_agent_manifest(batch_size=10)
    provisioned = _provision(aws, manifest)
    queue_url = provisioned.queue_urls["intent"]
    _send(
        aws,
        queue_url,
        [f"m{i}" for i in range(12)],
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "test"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    recorder = Recorder()
    stats = InvocationStats()

    async def scenario() -> None:
        async with running_poller(
            moto, manifest, provisioned, recording(recorder, "intent"), stats=stats, transport=transport
        ):
            await _wait(recorder, lambda: len(recorder.records("intent")) >= 12)

    asyncio.run(scenario())

    events = recorder.events("intent")
    assert all(1 <= len(event["Records"]) <= 10 for event in events)
    assert sorted(r["body"] for r in recorder.records("intent")) == sorted(f"m{i}" for i in range(12))
    record = events[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == provisioned.queue_arns["intent"]
    assert record["awsRegion"] == "us-east-1"
    assert record["messageId"] and record["receiptHandle"] and record["md5OfBody"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert int(record["attributes"]["SentTimestamp"]) > 0
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "test",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AAE="
    context = recorder.contexts("intent")[0]
    assert context.function_name == "aicc-intent"
    assert context.invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:aicc-intent"
    assert context.memory_limit_in_mb == str(memory_mb("intent"))  # contracts/sizing.py, as on AWS
    assert context.aws_request_id and context.log_group_name == "/aws/lambda/aicc-intent"
    assert 0 < context.get_remaining_time_in_millis() <= 5000
    assert _queue_counts(aws, queue_url) == (0, 0), "every successful message is deleted"
    summary = stats.summary()["aicc-intent"]
    assert summary["invocations"] == len(events) and summary["errors"] == 0


def test_events_from_the_bus_arrive_with_the_full_envelope(
    moto: MotoServerProcess, aws: dict[str, Any], transport: str
) -> None:
    manifest = single_agent_manifest()
    provisioned = _provision(aws, manifest)
    recorder = Recorder()

    async def scenario() -> None:
        async with running_poller(moto, manifest, provisioned, recording(recorder, "intent"), transport=transport):
            detail = {"meta": {"turn_id": "t-1"}, "text": "hello"}
            aws["events"].put_events(
                Entries=[
                    {
                        "Source": "aicc.ingress",
                        "DetailType": "ConversationReceived",
                        "Detail": json.dumps(detail),
                        "EventBusName": provisioned.bus_name,
                    },
                    # Not matched by the rule: never delivered.
                    {"Source": "aicc.other", "DetailType": "Noise", "Detail": "{}", "EventBusName": "aicc"},
                ]
            )
            await _wait(recorder, lambda: len(recorder.records("intent")) >= 1)

    asyncio.run(scenario())
    (record,) = recorder.records("intent")
    envelope = json.loads(record["body"])
    assert envelope["detail-type"] == "ConversationReceived"
    assert envelope["source"] == "aicc.ingress"
    assert envelope["account"] == "123456789012"
    assert envelope["detail"]["meta"]["turn_id"] == "t-1"


def test_partial_batch_failure_redelivers_only_the_failed_message(
    moto: MotoServerProcess, aws: dict[str, Any], transport: str
) -> None:
    manifest = single_agent_manifest()
    provisioned = _provision(aws, manifest)
    queue_url = provisioned.queue_urls["intent"]
    _send(aws, queue_url, ["ok-1", "bad", "ok-2"])
    recorder = Recorder()

    def fail_bad_once(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        failures = [
            {"itemIdentifier": r["messageId"]}
            for r in event["Records"]
            if r["body"] == "bad" and r["attributes"]["ApproximateReceiveCount"] == "1"
        ]
        return {"batchItemFailures": failures}

    def bodies() -> list[str]:
        return [r["body"] for r in recorder.records("intent")]

    async def scenario() -> None:
        async with running_poller(
            moto, manifest, provisioned, recording(recorder, "intent", fail_bad_once), transport=transport
        ):
            await _wait(recorder, lambda: bodies().count("bad") >= 2)

    asyncio.run(scenario())
    assert sorted(bodies()) == ["bad", "bad", "ok-1", "ok-2"]
    redelivered = [r for r in recorder.records("intent") if r["body"] == "bad"][-1]
    assert redelivered["attributes"]["ApproximateReceiveCount"] == "2"
    assert _queue_counts(aws, queue_url) == (0, 0)


def test_an_exception_fails_the_whole_batch(moto: MotoServerProcess, aws: dict[str, Any], transport: str) -> None:
    manifest = single_agent_manifest()
    provisioned = _provision(aws, manifest)
    queue_url = provisioned.queue_urls["intent"]
    _send(aws, queue_url, ["a", "b", "c"])
    recorder = Recorder()

    def raise_first_time(event: dict[str, Any], _context: Any) -> None:
        if any(r["attributes"]["ApproximateReceiveCount"] == "1" for r in event["Records"]):
            raise RuntimeError("agent crashed")

    async def scenario() -> None:
        async with running_poller(
            moto, manifest, provisioned, recording(recorder, "intent", raise_first_time), transport=transport
        ):
            await _wait(recorder, lambda: len(recorder.records("intent")) >= 6)

    asyncio.run(scenario())
    bodies = sorted(r["body"] for r in recorder.records("intent"))
    assert bodies == ["a", "a", "b", "b", "c", "c"], "every message of the failed batch came back"
    assert _queue_counts(aws, queue_url) == (0, 0)


def test_past_max_receive_count_the_message_goes_to_the_dlq(
    moto: MotoServerProcess, aws: dict[str, Any], transport: str
) -> None:
    manifest = single_agent_manifest(max_receive_count=2)
    provisioned = _provision(aws, manifest)
    _send(aws, provisioned.queue_urls["intent"], ["poison"])
    recorder = Recorder()

    def always_fail(_event: dict[str, Any], _context: Any) -> None:
        raise RuntimeError("poison message")

    def in_dlq() -> int:
        return sum(_queue_counts(aws, provisioned.dlq_urls["intent"]))

    async def scenario() -> None:
        async with running_poller(
            moto, manifest, provisioned, recording(recorder, "intent", always_fail), transport=transport
        ):
            await _wait(recorder, lambda: len(recorder.records("intent")) >= 2)
            # moto moves the message on the next receive after the visibility timeout.
            for _ in range(100):
                if in_dlq():
                    break
                await asyncio.sleep(0.05)

    asyncio.run(scenario())
    assert in_dlq() == 1
    assert [r["body"] for r in recorder.records("intent")] == ["poison", "poison"]
    dead = aws["sqs"].receive_message(QueueUrl=provisioned.dlq_urls["intent"])["Messages"][0]
    assert dead["Body"] == "poison"


def test_a_slow_batch_does_not_hold_up_the_queue(moto: MotoServerProcess, aws: dict[str, Any], transport: str) -> None:
    manifest = single_agent_manifest(batch_size=1)
    provisioned = _provision(aws, manifest)
    recorder = Recorder()
    slow_started = threading.Event()
    overlapped: list[bool] = []

    def slow_first(event: dict[str, Any], _context: Any) -> None:
        if event["Records"][0]["body"] == "slow":
            slow_started.set()
            # Returns only if another poller handles "fast" while this invocation is still running.
            recorder.wait_for(lambda: "fast" in [r["body"] for r in recorder.records("intent")], timeout_s=5)
            overlapped.append(True)

    async def scenario() -> None:
        handler = recording(recorder, "intent", slow_first)
        async with running_poller(moto, manifest, provisioned, handler, concurrency=2, transport=transport):
            _send(aws, provisioned.queue_urls["intent"], ["slow"])
            assert await asyncio.to_thread(slow_started.wait, 10)
            _send(aws, provisioned.queue_urls["intent"], ["fast"])
            await _wait(recorder, lambda: len(recorder.events("intent")) >= 2)

    asyncio.run(scenario())
    assert overlapped == [True]
    assert [r["body"] for r in recorder.records("intent")] == ["slow", "fast"]


def test_a_mapping_keeps_polling_through_a_missing_queue(moto: MotoServerProcess, aws: dict[str, Any]) -> None:
    """A queue that disappears and comes back (moto restarted, Terraform re-created it) is polled again."""
    manifest = single_agent_manifest()
    provisioned = _provision(aws, manifest)
    queue_url = provisioned.queue_urls["intent"]
    recorder = Recorder()

    async def scenario() -> None:
        async with running_poller(moto, manifest, provisioned, recording(recorder, "intent"), transport="in-moto"):
            aws["sqs"].delete_queue(QueueUrl=queue_url)
            await asyncio.sleep(1.5)  # the pollers find no queue at least once
            recreated = aws["sqs"].create_queue(QueueName=queue_url.rsplit("/", 1)[1])["QueueUrl"]
            _send(aws, recreated, ["after"])
            await _wait(recorder, lambda: len(recorder.records("intent")) >= 1)

    asyncio.run(scenario())
    assert [r["body"] for r in recorder.records("intent")] == ["after"]


def test_batch_item_failure_rules() -> None:
    messages = [{"MessageId": f"id-{i}", "ReceiptHandle": f"rh-{i}"} for i in range(3)]

    def kept(result: Any) -> list[str]:
        outcome = outcome_of(result, messages, report_batch_item_failures=True)
        return [entry["ReceiptHandle"] for entry in outcome.delete]

    assert kept(None) == ["rh-0", "rh-1", "rh-2"]
    assert kept({"batchItemFailures": []}) == ["rh-0", "rh-1", "rh-2"]
    assert kept({"batchItemFailures": [{"itemIdentifier": "id-1"}]}) == ["rh-0", "rh-2"]
    # An identifier that is empty or not in the batch fails the whole batch, as on AWS.
    assert kept({"batchItemFailures": [{"itemIdentifier": "nope"}]}) == []
    assert kept({"batchItemFailures": [{"itemIdentifier": ""}]}) == []
    without_reporting = outcome_of(
        {"batchItemFailures": [{"itemIdentifier": "id-1"}]}, messages, report_batch_item_failures=False
    )
    assert len(without_reporting.delete) == 3
