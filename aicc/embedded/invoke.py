"""What the embedded stack shares with Lambda: loading handlers, the context object, timing.

The pollers and the gateway invoke the same handler functions Lambda would, with an object that
has the attributes of Lambda's context (aws-lambda-powertools reads them), and record how long
each invocation took so the latency budget can be checked against real numbers.
"""

from __future__ import annotations

import importlib
import statistics
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LambdaHandler = Callable[[dict[str, Any], Any], Any]
# Dotted path (e.g. "handlers.intent.handler") -> the callable. Tests inject fakes through this.
HandlerResolver = Callable[[str], LambdaHandler]

ACCOUNT_ID = "123456789012"
FUNCTION_PREFIX = "aicc-"


def import_handler(dotted_path: str) -> LambdaHandler:
    """Lambda's `module.function` handler setting, resolved the way the runtime does it."""
    module_name, _, attribute = dotted_path.rpartition(".")
    if not module_name:
        raise ValueError(f"handler {dotted_path!r} is not of the form 'package.module.function'")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"{dotted_path} is not callable")
    return handler  # type: ignore[no-any-return,unused-ignore]


def function_name_for(dotted_path: str) -> str:
    """`handlers.ws_ingress.handler` -> `aicc-ws-ingress`, the name Terraform gives the function."""
    parts = dotted_path.split(".")
    module = parts[-2] if len(parts) >= 2 else parts[0]
    return FUNCTION_PREFIX + module.replace("_", "-")


@dataclass(frozen=True)
class FunctionConfig:
    """The slice of a Lambda function's configuration a handler can observe."""

    name: str
    memory_mb: int = 256
    timeout_s: float = 10.0
    region: str = "us-east-1"

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.name}"


class LambdaContext:
    """Duck-types `awslambdaric`'s LambdaContext; powertools' Logger and Idempotency read these."""

    def __init__(self, config: FunctionConfig, request_id: str | None = None) -> None:
        self.function_name = config.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = config.arn
        self.memory_limit_in_mb = str(config.memory_mb)
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{config.name}"
        self.log_stream_name = time.strftime("%Y/%m/%d") + "/[$LATEST]embedded"
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = time.monotonic() + config.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# Enough samples for stable percentiles without growing for ever on a long-running stack.
_SAMPLES = 10_000


@dataclass
class FunctionStats:
    init_ms: float | None = None
    invocations: int = 0
    errors: int = 0
    duration_ms: deque[float] = field(default_factory=lambda: deque(maxlen=_SAMPLES))
    # Pollers only, first deliveries: SentTimestamp -> handler start (bus + queue + long-poll wake-up).
    queue_wait_ms: deque[float] = field(default_factory=lambda: deque(maxlen=_SAMPLES))
    batch_sizes: deque[int] = field(default_factory=lambda: deque(maxlen=_SAMPLES))
    messages: int = 0  # running total of records handed to the function
    failed_items: int = 0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"invocations": self.invocations, "errors": self.errors}
        if self.init_ms is not None:
            out["init_ms"] = round(self.init_ms, 1)
        out["duration_ms"] = _percentiles(self.duration_ms)
        if self.queue_wait_ms:
            out["queue_wait_ms"] = _percentiles(self.queue_wait_ms)
        if self.batch_sizes:
            out["mean_batch"] = round(statistics.fmean(self.batch_sizes), 2)
            out["failed_items"] = self.failed_items
        return out


def _percentiles(samples: deque[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 2)}


class InvocationStats:
    """Per-function timings, written from handler threads and the event loop alike."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[str, FunctionStats] = {}

    def function(self, name: str) -> FunctionStats:
        with self._lock:
            return self._functions.setdefault(name, FunctionStats())

    def record(self, name: str, duration_ms: float, *, error: bool) -> None:
        stats = self.function(name)
        with self._lock:
            stats.invocations += 1
            stats.errors += int(error)
            stats.duration_ms.append(duration_ms)

    def record_batch(self, name: str, size: int, queue_wait_ms: list[float], failed_items: int) -> None:
        stats = self.function(name)
        with self._lock:
            stats.batch_sizes.append(size)
            stats.messages += size
            stats.queue_wait_ms.extend(queue_wait_ms)
            stats.failed_items += failed_items

    def record_init(self, name: str, init_ms: float) -> None:
        stats = self.function(name)
        with self._lock:
            stats.init_ms = init_ms

    def summary(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            names = sorted(self._functions)
        return {name: self._functions[name].summary() for name in names}

    def format(self) -> str:
        lines = [f"{'function':<24} {'calls':>6} {'err':>4} {'init':>7} {'p50':>7} {'p95':>7} {'max':>7} {'wait50':>7}"]
        for name, summary in self.summary().items():
            duration = summary.get("duration_ms", {})
            wait = summary.get("queue_wait_ms", {})
            lines.append(
                f"{name:<24} {summary['invocations']:>6} {summary['errors']:>4} "
                f"{_cell(summary.get('init_ms'))} {_cell(duration.get('p50'))} {_cell(duration.get('p95'))} "
                f"{_cell(duration.get('max'))} {_cell(wait.get('p50'))}"
            )
        return "\n".join(lines) + "\n(milliseconds; wait50 = SQS SentTimestamp -> handler start, first deliveries)"


def _cell(value: float | None) -> str:
    return f"{value:>7.1f}" if value is not None else f"{'-':>7}"


def timed_call(handler: LambdaHandler, event: dict[str, Any], context: LambdaContext, stats: InvocationStats) -> Any:
    """Run one invocation in the calling (pool) thread and record its duration, success or not."""
    started = time.perf_counter()
    error = True
    try:
        result = handler(event, context)
        error = False
        return result
    finally:
        stats.record(context.function_name, (time.perf_counter() - started) * 1000, error=error)
