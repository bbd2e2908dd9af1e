"""Lambda's SQS event-source mapping for the embedded stack.

Semantics reproduced (AWS "Using Lambda with Amazon SQS"):
- long-poll receive of up to `batch_size` messages, all system and message attributes;
- an optional batching window: keep receiving until the batch is full or the window has passed;
- the handler gets `{"Records": [...]}` in Lambda's SQS record shape, plus a Lambda context;
- ReportBatchItemFailures: `{"batchItemFailures": [{"itemIdentifier": id}]}` deletes every other
  message; an empty/absent list deletes all; an identifier that is empty or not in the batch makes
  the whole batch fail, as on AWS;
- an exception, or running past the function timeout, fails the whole batch: nothing is deleted and
  the messages reappear after the queue's visibility timeout;
- past `maxReceiveCount` the queue's redrive policy moves a message to its DLQ (moto does this on
  receive, like SQS);
- several concurrent batches per mapping (Lambda starts with five pollers and scales), so one slow
  batch does not hold up the queue.

`MappedFunction` is the function side: a batch in, an invocation on the handler thread pool, the
receipt handles to delete out. Two ways bring it batches:
- `MappingChannel` (the default): the receive/delete half runs inside the moto process, next to the
  queues, as the mapping runs inside AWS (aicc.embedded.esm_host); only batches and outcomes cross.
- `SqsApiPolling`: ReceiveMessage/DeleteMessageBatch over the SQS API with aiobotocore, for queues
  the stack does not host (any SQS endpoint).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import socket
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
from aicc.embedded.observe import ApiCallListener
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


class MappedFunction:
    """One mapping's function side: invoke the handler with a batch, apply the partial-batch rules."""

    def __init__(
        self,
        binding: QueueBinding,
        handler: LambdaHandler,
        *,
        executor: Executor,
        stats: InvocationStats,
    ) -> None:
        self.binding = binding
        self.handler = handler
        self.executor = executor
        self.stats = stats

    @property
    def name(self) -> str:
        return self.binding.function.name

    async def invoke(self, messages: list[dict[str, Any]]) -> BatchOutcome:
        """Run one batch (ReceiveMessage entries) through the handler; never raises.

        Each transport tracks the batches it handed over and lets them finish when it stops."""
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
        return outcome


class MappingChannel:
    """The stack's end of the in-moto event-source mappings (protocol: aicc.embedded.esm_host).

    `on_api_call(service, operation, params, parsed)` hears the SQS calls the mappings make inside
    moto (ReceiveMessage per receive, DeleteMessageBatch per outcome), so `aicc bench` counts and
    prices them as before; they are the mapping's calls on AWS too.
    """

    def __init__(self, address: tuple[str, int], *, on_api_call: ApiCallListener | None = None) -> None:
        self.address = address
        self.on_api_call = on_api_call
        self._functions: dict[str, MappedFunction] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()
        self._closing = False
        self._closed = asyncio.Event()

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(*self.address, limit=2**26)
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._read_task = asyncio.create_task(self._read_loop(), name="event-source mappings")

    def add(self, function: MappedFunction) -> None:
        binding = function.binding
        self._functions[function.name] = function
        self._send(
            {
                "op": "map",
                "mapping": function.name,
                "queue_arn": binding.queue_arn,
                "batch_size": binding.batch_size,
                "window_s": binding.batching_window_s,
                "concurrency": binding.concurrency,
            }
        )

    async def close(self, timeout_s: float = 5.0) -> None:
        """Stop taking batches; those already handed to a handler finish and are deleted first."""
        self._closing = True
        while self._batches:
            await asyncio.gather(*self._batches, return_exceptions=True)
        self._send({"op": "close"})
        if self._read_task is not None:
            # moto answers "closed" once every outcome sent before is applied (the deletes done).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), timeout_s)
            self._read_task.cancel()
            await asyncio.gather(self._read_task, return_exceptions=True)
            self._read_task = None
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None

    def _send(self, message: dict[str, Any]) -> None:
        if self._writer is None or self._writer.is_closing():
            return
        self._writer.write((json.dumps(message, separators=(",", ":")) + "\n").encode())

    async def _read_loop(self) -> None:
        assert self._reader is not None
        while True:
            line = await self._reader.readline()
            if not line:
                if not self._closing:
                    log.warning("the event-source mapping channel to moto closed")
                self._closed.set()
                return
            message = json.loads(line)
            if message.get("op") == "closed":
                self._closed.set()
                continue
            if message.get("op") != "batch":
                continue
            if self._closing:
                # Not handed to a handler: nothing is deleted, the messages come back after the
                # visibility timeout, as with a mapping being disabled.
                self._send({"op": "done", "batch": message["batch"], "delete": []})
                continue
            task = asyncio.create_task(self._run_batch(message))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _run_batch(self, message: dict[str, Any]) -> None:
        function = self._functions[message["mapping"]]
        messages: list[dict[str, Any]] = [_with_binary_attributes(m) for m in message["messages"]]
        self._count_receives(function, messages, message.get("receive_sizes") or [len(messages)], message)
        outcome = await function.invoke(messages)
        handles = [entry["ReceiptHandle"] for entry in outcome.delete]
        self._send({"op": "done", "batch": message["batch"], "delete": handles})
        if handles and self.on_api_call is not None:
            params = {"QueueUrl": function.binding.queue_url, "Entries": outcome.delete}
            self.on_api_call("sqs", "DeleteMessageBatch", params, {"Successful": outcome.delete})

    def _count_receives(
        self, function: MappedFunction, messages: list[dict[str, Any]], sizes: list[int], message: dict[str, Any]
    ) -> None:
        if self.on_api_call is None:
            return
        params = {"QueueUrl": function.binding.queue_url}
        start = 0
        for size in sizes:
            self.on_api_call("sqs", "ReceiveMessage", params, {"Messages": messages[start : start + size]})
            start += size
        for _ in range(int(message.get("empty_receives", 0))):
            self.on_api_call("sqs", "ReceiveMessage", params, {})


def _with_binary_attributes(message: dict[str, Any]) -> dict[str, Any]:
    """Binary message attributes cross the channel base64-encoded: bytes again, as botocore gives them."""
    for value in (message.get("MessageAttributes") or {}).values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
        if value.get("BinaryListValues"):
            value["BinaryListValues"] = [base64.b64decode(v) for v in value["BinaryListValues"]]
    return message


class SqsApiPolling:
    """`binding.concurrency` receive -> invoke -> delete loops over the SQS API (aiobotocore)."""

    def __init__(self, function: MappedFunction, *, sqs: Any, wait_time_s: int = LONG_POLL_S) -> None:
        self.function = function
        self.binding = function.binding
        self.sqs = sqs
        self.wait_time_s = wait_time_s
        self._tasks: list[asyncio.Task[None]] = []
        # Batches handed to the function, and their deletes: stopping lets every one finish.
        self._unfinished: set[asyncio.Task[None]] = set()
        self._stopping = False

    def start(self) -> None:
        for index in range(max(1, self.binding.concurrency)):
            self._tasks.append(asyncio.create_task(self._poll_loop(), name=f"poll {self.function.name} #{index}"))

    async def stop(self) -> None:
        """Stop receiving; batches already handed to a handler finish and are deleted first."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        while self._unfinished:
            await asyncio.gather(*self._unfinished, return_exceptions=True)

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
                # Shielded and tracked: a batch handed over is answered and deleted even if stopping.
                task = asyncio.create_task(self._invoke_then_delete(messages))
                self._unfinished.add(task)
                task.add_done_callback(self._unfinished.discard)
                await asyncio.shield(task)

    async def _invoke_then_delete(self, messages: list[dict[str, Any]]) -> None:
        outcome = await self.function.invoke(messages)
        if outcome.delete:
            # Not awaited before the next receive: deletes are off the reply's critical path.
            task = asyncio.create_task(self._delete(outcome.delete))
            self._unfinished.add(task)
            task.add_done_callback(self._unfinished.discard)

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
