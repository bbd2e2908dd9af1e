"""SQS: dead-letter redrive (message-move tasks) and a waiting receive that wakes when a delayed message
is due (correctness fixes); ReceiveMessage without three per-message costs (speed-ups)."""

from __future__ import annotations

import string
import time
from typing import Any

from aicc.embedded.moto.registry import Kind, Originals, Patch, Replacements, Target

MODELS = "moto.sqs.models"
_UNIX_TIME = Target(MODELS, "unix_time")
_UNIX_TIME_MILLIS = Target(MODELS, "unix_time_millis")
_RETENTION = Target(MODELS, "SQSBackend.is_message_valid_based_on_retention_period")


def _fast_receive(originals: Originals) -> Replacements:
    slow_unix_time = originals[_UNIX_TIME]

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else float(slow_unix_time(dt))

    def unix_time_millis(dt: Any = None) -> float:
        return unix_time(dt) * 1000.0

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        queue = self.get_queue(queue_name)
        return bool(int(queue.message_retention_period) + message.sent_timestamp / 1000 > time.time())

    return {
        _UNIX_TIME: unix_time,
        _UNIX_TIME_MILLIS: unix_time_millis,
        _RETENTION: is_message_valid_based_on_retention_period,
    }


FAST_RECEIVE = Patch(
    name="sqs-fast-receive",
    kind=Kind.SPEEDUP,
    targets=(_UNIX_TIME, _UNIX_TIME_MILLIS, _RETENTION),
    build=_fast_receive,
    why=(
        "Checking a message's retention period read it through get_queue_attributes, which computes every "
        "queue attribute (counts included, a pass over all messages) for each message received; the period is "
        "a plain attribute of the queue. unix_time() with no argument equals time.time(): moto's clock is the "
        "wall clock when time is not frozen, and the server process never freezes it."
    ),
)

_RECEIPT_HANDLE = Target(MODELS, "generate_receipt_handle")
_RECEIPT_HANDLE_LENGTH = 185


def _receipt_handles_in_one_draw(originals: Originals) -> Replacements:
    from moto.sqs import models

    def generate_receipt_handle() -> str:
        # moto's own random source (seedable through moto's API), drawn in one call.
        return "".join(models.random.choices(string.ascii_lowercase, k=_RECEIPT_HANDLE_LENGTH))

    return {_RECEIPT_HANDLE: generate_receipt_handle}


RECEIPT_HANDLES_IN_ONE_DRAW = Patch(
    name="sqs-receipt-handles-in-one-draw",
    kind=Kind.SPEEDUP,
    targets=(_RECEIPT_HANDLE,),
    build=_receipt_handles_in_one_draw,
    why=(
        "Every receive gives the message a new receipt handle: moto draws its 185 lowercase letters with one "
        "random.choice call each. random.choices draws them in one call from the same source; a handle is still "
        "an opaque string of that length and alphabet, new at each receive."
    ),
)

# --- dead-letter redrive: message-move tasks ------------------------------------------------------

_RECEIVE = Target(MODELS, "SQSBackend.receive_message")
_RESPONSES = "moto.sqs.responses"
_START = Target(_RESPONSES, "SQSResponse.start_message_move_task")
_LIST = Target(_RESPONSES, "SQSResponse.list_message_move_tasks")
_CANCEL = Target(_RESPONSES, "SQSResponse.cancel_message_move_task")
# Where a message came from when its queue's redrive policy moved it to the DLQ (AWS keeps it as the
# message's DeadLetterQueueSourceArn); a redrive without a destination sends it back there.
_ORIGIN = "aicc_dead_letter_source_arn"
_LISTED_AT_MOST = 10


def _message_move_tasks(originals: Originals) -> Replacements:
    import uuid

    from moto.core.responses import ActionResult
    from moto.sqs.exceptions import SQSException

    receive = originals[_RECEIVE]
    # Tasks by source ARN, newest first; per server process, as moto's own state is.
    tasks: dict[str, list[dict[str, Any]]] = {}

    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        if queue.dead_letter_queue is None or not queue.redrive_policy:
            return receive(self, queue_name, *args, **kwargs)
        limit = int(queue.redrive_policy["maxReceiveCount"])
        # The messages this receive may move to the DLQ: those already received maxReceiveCount times.
        due = [m for m in queue._messages if m.approximate_receive_count >= limit]
        result = receive(self, queue_name, *args, **kwargs)
        for message in due:
            setattr(message, _ORIGIN, queue.queue_arn)
        return result

    def queue_by_arn(backend: Any, arn: str) -> Any:
        queue = next((q for q in backend.queues.values() if q.queue_arn == arn), None)
        if queue is None:
            raise SQSException(
                "ResourceNotFoundException", f"The resource that you specified for the queue {arn} does not exist."
            )
        return queue

    def move(backend: Any, source: Any, destination: Any | None, task: dict[str, Any]) -> None:
        sources = {q.queue_arn: q for q in backend.queues.values() if q.dead_letter_queue is source}
        for message in list(source.messages):  # visible messages only, as a receive would see them
            target = destination or sources.get(getattr(message, _ORIGIN, ""))
            if target is None and len(sources) == 1:
                target = next(iter(sources.values()))
            if target is None:
                task.update(Status="FAILED", FailureReason=f"No source queue known for message {message.id}.")
                return
            # A new message in the destination (new id, never received), as SQS's redrive sends it.
            backend.send_message(
                target.name,
                message.body,
                message_attributes=dict(message.message_attributes),
                group_id=message.group_id,
                deduplication_id=message.deduplication_id,
            )
            with source._messages_lock:
                source._messages.remove(message)
            task["ApproximateNumberOfMessagesMoved"] += 1
        task["Status"] = "COMPLETED"

    def start_message_move_task(self: Any) -> Any:
        backend = self.sqs_backend
        source_arn = self._get_param("SourceArn")
        source = queue_by_arn(backend, source_arn)
        if not any(q.dead_letter_queue is source for q in backend.queues.values()):
            raise SQSException("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
        destination_arn = self._get_param("DestinationArn")
        destination = queue_by_arn(backend, destination_arn) if destination_arn else None
        task: dict[str, Any] = {
            "TaskHandle": uuid.uuid4().hex,
            "Status": "RUNNING",
            "SourceArn": source_arn,
            "ApproximateNumberOfMessagesMoved": 0,
            "ApproximateNumberOfMessagesToMove": len(source.messages),
            "StartedTimestamp": int(time.time() * 1000),
        }
        if destination_arn:
            task["DestinationArn"] = destination_arn
        if self._get_param("MaxNumberOfMessagesPerSecond") is not None:
            task["MaxNumberOfMessagesPerSecond"] = int(self._get_param("MaxNumberOfMessagesPerSecond"))
        tasks.setdefault(source_arn, []).insert(0, task)
        # The move runs to its end inside the call: the task is listed as finished by the time its
        # handle is returned (AWS finishes it asynchronously; callers poll ListMessageMoveTasks).
        move(backend, source, destination, task)
        return ActionResult({"TaskHandle": task["TaskHandle"]})

    def list_message_move_tasks(self: Any) -> Any:
        source_arn = self._get_param("SourceArn")
        queue_by_arn(self.sqs_backend, source_arn)
        wanted = min(int(self._get_param("MaxResults") or 1), _LISTED_AT_MOST)
        results = []
        for task in tasks.get(source_arn, [])[:wanted]:
            # A handle is given for a running task only (it is what CancelMessageMoveTask takes).
            results.append({k: v for k, v in task.items() if k != "TaskHandle" or task["Status"] == "RUNNING"})
        return ActionResult({"Results": results})

    def cancel_message_move_task(self: Any) -> Any:
        handle = self._get_param("TaskHandle")
        for listed in tasks.values():
            for task in listed:
                if task["TaskHandle"] == handle and task["Status"] == "RUNNING":
                    task["Status"] = "CANCELLED"
                    return ActionResult({"ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"]})
        raise SQSException("ResourceNotFoundException", "The task handle does not name a running task.")

    return {
        _RECEIVE: receive_message,
        _START: start_message_move_task,
        _LIST: list_message_move_tasks,
        _CANCEL: cancel_message_move_task,
    }


MESSAGE_MOVE_TASKS = Patch(
    name="sqs-message-move-tasks",
    kind=Kind.CORRECTNESS,
    targets=(_RECEIVE,),
    adds=(_START, _LIST, _CANCEL),
    build=_message_move_tasks,
    why=(
        "moto does not implement StartMessageMoveTask, ListMessageMoveTasks or CancelMessageMoveTask, the API "
        "`aicc dlq redrive` uses on AWS. As SQS does: the source must be a dead-letter queue of another queue; each "
        "visible message moves as a new message to DestinationArn or, without one, back to the queue whose "
        "redrive policy moved it there (recorded when moto moves it); the task reports its status and "
        "ApproximateNumberOfMessagesMoved. The move completes within the call."
    ),
)


_WAIT_FOR_MESSAGES = Target(MODELS, "Queue.wait_for_messages")
# Never wait less than this for a message that is due: a busy loop would cost more than it saves.
_MIN_WAIT_S = 0.01


def _wake_when_due(originals: Originals) -> Replacements:
    def wait_for_messages(self: Any, timeout: int) -> None:
        end = time.time() + timeout
        with self._messages_lock:
            while not self.messages:
                now = time.time()
                if now >= end:
                    return
                due = min((max(m.delayed_until, m.visible_at) / 1000 for m in self._messages), default=end)
                self._messages_lock.wait(min(end, max(due, now + _MIN_WAIT_S)) - now)

    return {_WAIT_FOR_MESSAGES: wait_for_messages}


WAKE_WHEN_DUE = Patch(
    name="sqs-wake-when-due",
    kind=Kind.CORRECTNESS,
    targets=(_WAIT_FOR_MESSAGES,),
    build=_wake_when_due,
    why=(
        "A waiting ReceiveMessage slept in one-second steps and woke early only when a message was sent, so a "
        "delayed message (the turn deadline) or one whose visibility timeout ended was received up to a second "
        "late. SQS delivers it to a waiting long poll when it is due; the turn deadline's on-time reply relies on "
        "that. The wait now also ends when the soonest delayed or in-flight message is due."
    ),
)

PATCHES = (FAST_RECEIVE, RECEIPT_HANDLES_IN_ONE_DRAW, MESSAGE_MOVE_TASKS, WAKE_WHEN_DUE)
