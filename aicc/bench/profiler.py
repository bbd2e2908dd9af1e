"""What each Lambda invocation of the embedded stack did: its CPU time and its AWS calls, in order.

The AWS projection (aicc.bench.projection) needs, per function, the sequential calls of one
invocation and the CPU it spent, not totals over the stack. `InvocationProfiler` wraps the stack's
handler resolver, so every handler runs inside a wrapper that marks the thread as "in an invocation
of function F"; it is also an API-call listener, and a call made on a marked thread belongs to that
invocation. Calls made elsewhere (the event-source mappings inside moto) belong to no invocation.

CPU is the thread's own CPU time (`time.thread_time`), so waiting for moto, or for the GIL while
another handler runs, is not counted: it is the work Lambda would run on its share of a vCPU.
A profile is kept per invocation (a bounded number per function) and read with `snapshot()`, like
the stack's other running figures.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aicc.embedded.invoke import HandlerResolver, LambdaHandler

PUSH_OPERATION = "apigatewaymanagementapi.PostToConnection"
# Enough invocations for a bench phase at any level it runs, without growing for ever.
PROFILES_KEPT = 2_000


@dataclass
class _Invocation:
    function: str
    records: int
    cpu_started: float
    calls: list[str] = field(default_factory=list)
    push_cpu_ms: float | None = None
    calls_to_push: int | None = None


def profile_of(invocation: _Invocation, cpu_ms: float) -> dict[str, Any]:
    """One invocation as the bench stores it: CPU, records, call counts by operation, and the same up
    to its first push (for the invocation that delivers a reply)."""
    profile: dict[str, Any] = {
        "cpu_ms": round(cpu_ms, 2),
        "records": invocation.records,
        "calls": _counts(invocation.calls),
    }
    if invocation.calls_to_push is not None and invocation.push_cpu_ms is not None:
        profile["to_push"] = {
            "cpu_ms": round(invocation.push_cpu_ms, 2),
            "calls": _counts(invocation.calls[: invocation.calls_to_push]),
        }
    return profile


def _counts(calls: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in calls:
        counts[call] = counts.get(call, 0) + 1
    return counts


class InvocationProfiler:
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._profiles: dict[str, deque[dict[str, Any]]] = {}
        self._invocations: dict[str, int] = {}

    def wrap(self, resolver: HandlerResolver) -> HandlerResolver:
        """A resolver whose handlers run as profiled invocations."""

        def resolve(dotted_path: str) -> LambdaHandler:
            return self._profiled(resolver(dotted_path))

        return resolve

    def _profiled(self, handler: LambdaHandler) -> LambdaHandler:
        def invoke(event: dict[str, Any], context: Any) -> Any:
            records = event.get("Records") if isinstance(event, dict) else None
            invocation = _Invocation(
                function=str(getattr(context, "function_name", "unknown")),
                records=len(records) if isinstance(records, list) else 1,
                cpu_started=time.thread_time(),
            )
            self._local.current = invocation
            try:
                return handler(event, context)
            finally:
                self._local.current = None
                self._record(invocation, (time.thread_time() - invocation.cpu_started) * 1000)

        return invoke

    def __call__(self, service: str, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> None:
        invocation: _Invocation | None = getattr(self._local, "current", None)
        if invocation is None:
            return
        name = f"{service}.{operation}"
        invocation.calls.append(name)
        if name == PUSH_OPERATION and invocation.calls_to_push is None:
            invocation.calls_to_push = len(invocation.calls)
            invocation.push_cpu_ms = (time.thread_time() - invocation.cpu_started) * 1000

    def _record(self, invocation: _Invocation, cpu_ms: float) -> None:
        profile = profile_of(invocation, cpu_ms)
        with self._lock:
            self._profiles.setdefault(invocation.function, deque(maxlen=PROFILES_KEPT)).append(profile)
            self._invocations[invocation.function] = self._invocations.get(invocation.function, 0) + 1

    def counts(self) -> dict[str, int]:
        """Invocations so far per function (running totals, for the snapshot before a phase)."""
        with self._lock:
            return dict(self._invocations)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per function: invocations so far and the newest profiles, newest last."""
        with self._lock:
            return {
                name: {"invocations": self._invocations[name], "profiles": list(profiles)}
                for name, profiles in self._profiles.items()
            }


def since(after: dict[str, dict[str, Any]], before: Mapping[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The profiles of the invocations after the counts `before`, per function."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, now in after.items():
        new = now["invocations"] - before.get(name, 0)
        if new > 0:
            out[name] = now["profiles"][-new:]
    return out
