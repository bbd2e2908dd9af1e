"""SQS: ReceiveMessage without two per-message costs (a speed-up)."""

from __future__ import annotations

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

PATCHES = (FAST_RECEIVE,)
