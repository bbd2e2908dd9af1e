"""The Lambda SQS event-source mapping, played on one event loop.

Semantics reproduced (AWS "Using Lambda with Amazon SQS"):
- long-poll receive (20 s) of up to `batch_size` messages, all system and message attributes;
- an optional batching window: keep receiving until the batch is full or the window has passed;
- the handler gets `{"Records": [...]}` in Lambda's SQS record shape, plus a Lambda context;
- ReportBatchItemFailures: `{"batchItemFailures": [{"itemIdentifier": id}]}` deletes every other
  message; an empty/absent list deletes all; an identifier that is empty or not in the batch makes
  the whole batch fail, as on AWS;
- an exception, or running past the function timeout, fails the whole batch: nothing is deleted and
  the messages reappear after the queue's visibility timeout;
- past `maxReceiveCount` the queue's redrive policy moves a message to its DLQ (moto does this on
  receive, like SQS);
- several pollers per queue (Lambda starts with five and scales), so one slow batch does not hold up
  the queue.

Handlers are synchronous (boto3 inside) and run in a thread pool; the SQS calls are aiobotocore on
the loop. Deletes are not awaited before the next receive: they are off the reply's critical path.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from aicc.embedded.invoke import (
    FUNCTION_PREFIX,
    FunctionConfig,
    InvocationStats,
    LambdaContext,
    LambdaHandler,
    timed_call,
)
from contracts.manifest import AgentSpec

log = logging.getLogger(__name__)

LONG_POLL_S = 20
# After an unexpected receive error (e.g. moto restarting), back off instead of spinning.
_ERROR_BACKOFF_S = 1.0


@dataclass(frozen=True)
class QueueBinding:
    """One event-source mapping: a queue, the function it feeds, and the mapping's settings."""

    function: FunctionConfig
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window_s: float = 0.0
    concurrency: int = 3
    report_batch_item_failures: bool = True


class BatchOutcome:
    """Which receipt handles to delete after one invocation."""

    def __init__(self, delete: list[dict[str, str]], failed: int, whole_batch_failed: bool) -> None:
        self.delete = delete
        self.failed = failed
        self.whole_batch_failed = whole_batch_failed


def to_lambda_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS ReceiveMessage entry in the shape Lambda hands to the function."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _lambda_message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _lambda_message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    # Lambda lower-cases the keys and base64-encodes binary values (botocore hands us raw bytes).
    out: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_b64(v) for v in value.get("BinaryListValues", [])],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = _b64(value["BinaryValue"])
    return out


def _b64(value: bytes | str) -> str:
    return base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()


def outcome_of(result: Any, messages: list[dict[str, Any]], *, report_batch_item_failures: bool) -> BatchOutcome:
    """Apply the partial-batch-response rules to a handler's return value."""
    all_entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    if not report_batch_item_failures or not isinstance(result, Mapping):
        return BatchOutcome(all_entries, failed=0, whole_batch_failed=False)
    failures = result.get("batchItemFailures")
    if not failures:
        return BatchOutcome(all_entries, failed=0, whole_batch_failed=False)
    batch_ids = {m["MessageId"] for m in messages}
    failed_ids: set[str] = set()
    for failure in failures if isinstance(failures, list) else [failures]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in batch_ids:
            log.warning("batchItemFailures names %r, which is not in the batch: the whole batch fails", identifier)
            return BatchOutcome([], failed=len(messages), whole_batch_failed=True)
        failed_ids.add(identifier)
    keep = [entry for entry, m in zip(all_entries, messages, strict=True) if m["MessageId"] not in failed_ids]
    return BatchOutcome(keep, failed=len(failed_ids), whole_batch_failed=False)


class QueuePoller:
    """`binding.concurrency` concurrent receive -> invoke -> delete loops for one queue."""

    def __init__(
        self,
        binding: QueueBinding,
        handler: LambdaHandler,
        *,
        sqs: Any,
        executor: Executor,
        stats: InvocationStats,
        wait_time_s: int = LONG_POLL_S,
    ) -> None:
        self.binding = binding
        self.handler = handler
        self.sqs = sqs
        self.executor = executor
        self.stats = stats
        self.wait_time_s = wait_time_s
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._pending_deletes: set[asyncio.Task[None]] = set()
        self._stopping = False

    @property
    def name(self) -> str:
        return self.binding.function.name

    def start(self) -> None:
        for index in range(max(1, self.binding.concurrency)):
            self._tasks.append(asyncio.create_task(self._poll_loop(), name=f"poll {self.name} #{index}"))

    async def stop(self) -> None:
        """Stop receiving; batches already handed to a handler finish and are deleted first."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._pending_deletes:
            await asyncio.gather(*self._pending_deletes, return_exceptions=True)

    async def _poll_loop(self) -> None:
        while not self._stopping:
            try:
                messages = await self._receive_batch()
            except asyncio.CancelledError:
                raise
            except Exception:
                if self._stopping:
                    return
                log.exception("receive from %s failed", self.binding.queue_url)
                await asyncio.sleep(_ERROR_BACKOFF_S)
                continue
            if messages:
                # Shielded and tracked: once a batch is handed over, stopping waits for its outcome,
                # rather than leaving it invisible until the visibility timeout.
                task = asyncio.create_task(self._process(messages))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                await asyncio.shield(task)

    async def _receive_batch(self) -> list[dict[str, Any]]:
        binding = self.binding
        messages = await self._receive(binding.batch_size, self.wait_time_s)
        if not messages or binding.batching_window_s <= 0:
            return messages
        window_ends = time.monotonic() + binding.batching_window_s
        while len(messages) < binding.batch_size:
            remaining = window_ends - time.monotonic()
            if remaining <= 0:
                break
            more = await self._receive(binding.batch_size - len(messages), min(LONG_POLL_S, max(1, int(remaining))))
            messages.extend(more)
        return messages

    async def _receive(self, max_messages: int, wait_s: int) -> list[dict[str, Any]]:
        response = await self.sqs.receive_message(
            QueueUrl=self.binding.queue_url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_s,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    async def _process(self, messages: list[dict[str, Any]]) -> None:
        binding = self.binding
        now_ms = time.time() * 1000
        # First deliveries only: a redelivery's wait is mostly the visibility timeout, not latency.
        waits = [
            now_ms - float(m["Attributes"]["SentTimestamp"])
            for m in messages
            if m.get("Attributes", {}).get("ApproximateReceiveCount") == "1" and "SentTimestamp" in m["Attributes"]
        ]
        event = {"Records": [to_lambda_record(m, binding.queue_arn, binding.function.region) for m in messages]}
        context = LambdaContext(binding.function, request_id=str(uuid.uuid4()))
        loop = asyncio.get_running_loop()
        invocation = loop.run_in_executor(self.executor, timed_call, self.handler, event, context, self.stats)
        # A timed-out invocation finishes later in its thread; retrieve its outcome so it isn't reported.
        invocation.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            result = await asyncio.wait_for(asyncio.shield(invocation), timeout=binding.function.timeout_s)
            outcome = outcome_of(result, messages, report_batch_item_failures=binding.report_batch_item_failures)
        except TimeoutError:
            # Lambda would kill the function; a thread cannot be killed, so its result is ignored.
            log.error("%s timed out after %.0f s: the batch will be retried", self.name, binding.function.timeout_s)
            outcome = BatchOutcome([], failed=len(messages), whole_batch_failed=True)
        except Exception:
            log.exception("%s failed: the batch of %d will be retried", self.name, len(messages))
            outcome = BatchOutcome([], failed=len(messages), whole_batch_failed=True)
        self.stats.record_batch(self.name, len(messages), waits, outcome.failed)
        if outcome.delete:
            task = asyncio.create_task(self._delete(outcome.delete))
            self._pending_deletes.add(task)
            task.add_done_callback(self._pending_deletes.discard)

    async def _delete(self, entries: list[dict[str, str]]) -> None:
        try:
            response = await self.sqs.delete_message_batch(QueueUrl=self.binding.queue_url, Entries=entries)
        except Exception:
            log.exception(
                "delete from %s failed: %d messages will be redelivered", self.binding.queue_url, len(entries)
            )
            return
        for failure in response.get("Failed", []):
            log.warning("could not delete a message from %s: %s", self.binding.queue_url, failure.get("Message"))


def binding_for_agent(
    agent: AgentSpec, queue_url: str, queue_arn: str, *, region: str, concurrency: int
) -> QueueBinding:
    """The event-source mapping Terraform creates for a manifest agent."""
    return QueueBinding(
        function=FunctionConfig(
            name=FUNCTION_PREFIX + agent.name, memory_mb=agent.memory_mb, timeout_s=agent.timeout_s, region=region
        ),
        queue_url=queue_url,
        queue_arn=queue_arn,
        batch_size=agent.batch_size,
        batching_window_s=agent.batching_window_s,
        concurrency=concurrency,
    )
