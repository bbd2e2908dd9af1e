"""The SQS side of Lambda's event-source mapping, run inside the moto process, next to the queues.

On AWS the mapping is a service-side poller: it receives from the queue, invokes the function with
the batch and deletes what the function did not report as failed. None of that is the function's
own traffic. The embedded stack used to play it from its own process over HTTP (a ReceiveMessage and
a DeleteMessageBatch per batch, about 33 calls per turn, each paying botocore on one side and the
HTTP front on the other). Here the receive and the delete are calls on moto's SQS backend in this
process, and only the batch and its outcome cross to the stack, over one local socket.

Protocol: one JSON object per line, both ways.
- stack -> here `{"op": "map", "mapping": NAME, "queue_arn": ARN, "batch_size": N, "window_s": S,
  "concurrency": C}`: start C pollers on the queue (Lambda's concurrent batches for one mapping).
- here -> stack `{"op": "batch", "mapping": NAME, "batch": ID, "messages": [...], "receive_sizes":
  [N, ...], "empty_receives": E}`: messages in ReceiveMessage's response shape (all system and
  message attributes); how many each receive call of this batch returned, and the empty long polls
  before it, for the bench's count of SQS requests.
- stack -> here `{"op": "done", "batch": ID, "delete": [receipt handles]}`: delete those; the rest
  stay invisible until the queue's visibility timeout, then are received again (and past the redrive
  policy's maxReceiveCount, moved to the DLQ by moto's receive, as SQS does).
- stack -> here `{"op": "close"}`, answered `{"op": "closed"}` once every earlier outcome is applied:
  no more batches are handed over.
A poller hands out one batch at a time and waits for its outcome. When the stack's connection
closes, batches still out are simply not deleted: they come back after the visibility timeout.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import logging
import socket
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

# Long polls are taken in slices this long, so a closed connection or a reset stops a poller soon;
# moto wakes a waiting receive as soon as a message arrives, so slicing adds no latency.
_POLL_SLICE_S = 1
# What one long poll lasts on AWS (the mapping uses 20 s): each such stretch of nothing is one empty
# ReceiveMessage in the bill.
_LONG_POLL_S = 20.0
_BATCH_IDS = itertools.count(1)
_ERROR_BACKOFF_S = 1.0


def received_message_entry(message: Any) -> dict[str, Any]:
    """A moto SQS Message as ReceiveMessage returns it with every attribute asked for."""
    attributes: dict[str, str] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_timestamp),
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if message.deduplication_id is not None:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    if message.group_id is not None:
        attributes["MessageGroupId"] = message.group_id
    if message.sequence_number is not None:
        attributes["SequenceNumber"] = message.sequence_number
    trace_header = (message.system_attributes or {}).get("AWSTraceHeader")
    if trace_header:
        attributes["AWSTraceHeader"] = trace_header.get("StringValue")
    entry: dict[str, Any] = {
        "MessageId": message.id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.body_md5,
        "Body": message.body,
        "Attributes": attributes,
    }
    if message.message_attributes:
        entry["MessageAttributes"] = {
            name: _jsonable_attribute(value) for name, value in message.message_attributes.items()
        }
        entry["MD5OfMessageAttributes"] = message.attribute_md5
    return entry


def _jsonable_attribute(value: dict[str, Any]) -> dict[str, Any]:
    # Binary values travel base64-encoded (JSON has no bytes); the stack decodes them back.
    out = dict(value)
    if isinstance(out.get("BinaryValue"), bytes):
        out["BinaryValue"] = base64.b64encode(out["BinaryValue"]).decode()
    if out.get("BinaryListValues"):
        out["BinaryListValues"] = [
            base64.b64encode(v).decode() if isinstance(v, bytes) else v for v in out["BinaryListValues"]
        ]
    return out


def _queue_from_arn(arn: str) -> tuple[str, str, str]:
    """(account, region, name) of an SQS queue ARN."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise ValueError(f"not an SQS queue ARN: {arn!r}")
    return parts[4], parts[3], parts[5]


class _Session:
    """One connected stack: its mappings' pollers and the batches it has not answered yet."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self._write_lock = threading.Lock()
        self._outcomes: dict[int, tuple[threading.Event, _MappingPoller]] = {}
        self._outcomes_lock = threading.Lock()
        self.closed = threading.Event()
        self._threads: list[threading.Thread] = []

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        with self._write_lock:
            self.connection.sendall(data)

    def serve(self) -> None:
        try:
            with self.connection.makefile("rb") as lines:
                for line in lines:
                    self._on_message(json.loads(line))
        except (OSError, ValueError) as error:
            if not self.closed.is_set():
                log.info("event-source mapping channel closed: %s", error)
        finally:
            self.close()

    def close(self) -> None:
        self.closed.set()
        with self._outcomes_lock:
            waiting = list(self._outcomes.values())
        for event, _ in waiting:
            event.set()
        with contextlib.suppress(OSError):
            self.connection.close()

    def _on_message(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "map":
            self._start_mapping(message)
        elif op == "done":
            with self._outcomes_lock:
                waiting = self._outcomes.get(int(message["batch"]))
            if waiting is not None:
                # Deleted here, in order, before the next line is read: once the stack has seen
                # "closed", every outcome it sent has been applied.
                done, poller = waiting
                poller.delete(message.get("delete", []))
                done.set()
        elif op == "close":
            self.closed.set()
            self.send({"op": "closed"})
        else:
            log.warning("event-source mapping channel: unknown op %r", op)

    def _start_mapping(self, spec: dict[str, Any]) -> None:
        receive_lock = threading.Lock()
        for index in range(max(1, int(spec.get("concurrency", 1)))):
            poller = _MappingPoller(self, spec, receive_lock)
            thread = threading.Thread(target=poller.run, name=f"esm {spec['mapping']} #{index}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def hand_over(self, poller: _MappingPoller, messages: list[dict[str, Any]], sizes: list[int], empty: int) -> None:
        """Send a batch and wait until its outcome is applied (or the connection closes)."""
        batch_id = next(_BATCH_IDS)
        done = threading.Event()
        with self._outcomes_lock:
            self._outcomes[batch_id] = (done, poller)
        try:
            self.send(
                {
                    "op": "batch",
                    "mapping": poller.mapping,
                    "batch": batch_id,
                    "messages": messages,
                    "receive_sizes": sizes,
                    "empty_receives": empty,
                }
            )
            done.wait()
        except OSError:
            self.close()
        finally:
            with self._outcomes_lock:
                self._outcomes.pop(batch_id, None)


class _MappingPoller:
    """One of a mapping's concurrent receive -> hand over -> delete loops."""

    def __init__(self, session: _Session, spec: dict[str, Any], receive_lock: threading.Lock) -> None:
        self.session = session
        self.mapping = str(spec["mapping"])
        self.account, self.region, self.queue_name = _queue_from_arn(str(spec["queue_arn"]))
        self.batch_size = int(spec.get("batch_size", 10))
        self.window_s = float(spec.get("window_s", 0.0))
        # Receives of one mapping take turns: moto's receive is not atomic across threads, and two
        # pollers taking the same message would be a duplicate SQS itself does not make.
        self.receive_lock = receive_lock

    def _backend(self) -> Any:
        from moto.sqs.models import sqs_backends

        return sqs_backends[self.account][self.region]

    def run(self) -> None:
        empty = 0
        idle_since = time.monotonic()
        while not self.session.closed.is_set():
            try:
                messages, sizes = self._receive_batch()
            except Exception as error:
                # The queue is gone (a moto reset) or moto failed: keep trying, as a mapping on AWS
                # does, until the stack closes the channel.
                log.warning("event-source mapping %s could not receive: %s", self.mapping, error)
                self.session.closed.wait(_ERROR_BACKOFF_S)
                continue
            if not messages:
                # A stretch of nothing as long as a real long poll is one empty receive on the bill.
                if time.monotonic() - idle_since >= _LONG_POLL_S:
                    empty += 1
                    idle_since = time.monotonic()
                continue
            entries = [received_message_entry(m) for m in messages]
            self.session.hand_over(self, entries, sizes, empty)
            empty = 0
            idle_since = time.monotonic()

    def _receive(self, count: int, wait_s: int) -> list[Any]:
        backend = self._backend()
        queue = backend.get_queue(self.queue_name)
        with self.receive_lock:
            return list(backend.receive_message(self.queue_name, count, wait_s, queue.visibility_timeout, ["All"]))

    def _receive_batch(self) -> tuple[list[Any], list[int]]:
        """(messages, how many each receive call returned): a long-poll slice, then the batching window."""
        messages = self._receive(self.batch_size, _POLL_SLICE_S)
        if not messages:
            return [], []
        sizes = [len(messages)]
        window_ends = time.monotonic() + self.window_s
        waited_in_vain = False
        while len(messages) < self.batch_size and not self.session.closed.is_set():
            remaining = window_ends - time.monotonic()
            if remaining <= 0:
                break
            # Whole seconds, as ReceiveMessage takes them; a short window polls without waiting.
            more = self._receive(self.batch_size - len(messages), 1 if remaining >= 1 else 0)
            if more:
                sizes.append(len(more))
                messages.extend(more)
            elif remaining < 1:
                time.sleep(min(remaining, 0.05))
            waited_in_vain = not more
        # The mapping waits out a window with one long poll: a window that ends in waiting is one
        # more (empty) receive, however many slices this loop took.
        if waited_in_vain:
            sizes.append(0)
        return messages, sizes

    def delete(self, receipt_handles: list[str]) -> None:
        if not receipt_handles:
            return
        backend = self._backend()
        for receipt_handle in receipt_handles:
            try:
                backend.delete_message(self.queue_name, receipt_handle)
            except Exception as error:  # a stale handle: the message is received again, as on SQS
                log.warning("could not delete a message from %s: %s", self.queue_name, error)


class MappingHost:
    """Accept stack connections on a loopback port; each gets its own pollers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._listener = socket.create_server((host, port))
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self._sessions: list[_Session] = []
        self._stopped = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._accept_loop, name="esm accept", daemon=True).start()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = _Session(connection)
            self._sessions = [s for s in self._sessions if not s.closed.is_set()] + [session]
            threading.Thread(target=session.serve, name="esm channel", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        for session in self._sessions:
            session.close()
