"""SQS: ReceiveMessage without three per-message costs (speed-ups); a waiting receive wakes when a
delayed message is due (correctness)."""

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

PATCHES = (FAST_RECEIVE, RECEIPT_HANDLES_IN_ONE_DRAW, WAKE_WHEN_DUE)
