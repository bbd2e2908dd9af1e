"""SQS: ReceiveMessage without three per-message costs (speed-ups)."""

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

PATCHES = (FAST_RECEIVE, RECEIPT_HANDLES_IN_ONE_DRAW)
