"""What the embedded stack tells `aicc bench` about itself (`GET /_aicc/bench`).

`attach(stack)`, before the stack starts, adds an `ApiCallMeter` to the stack's API-call listeners,
profiles every invocation (aicc.bench.profiler: it wraps the stack's handler resolver) and serves
`describe_stack` on the gateway, and the invocation profiles on `GET /_aicc/bench-profiles`. `aicc up`
and the bench's own stack (aicc.bench.serve) attach it; the stack knows nothing of the bench.

Every figure is a running total (calls, invocations, CPU seconds) or a high-water mark (peak RSS), so the bench
takes one snapshot before and one after a measured phase and subtracts; nothing is reset, and a
stack someone else runs (`aicc up`) can be measured without disturbing its own statistics.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicc.bench.meter import ApiCallMeter
from aicc.bench.profiler import InvocationProfiler

if TYPE_CHECKING:
    from aicc.embedded.stack import EmbeddedStack


def peak_rss_kb(pid: int | None) -> int | None:
    """VmHWM of a process: the most resident memory it has ever had (Linux /proc), in KiB."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU a process has used so far (Linux /proc), in seconds."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ROUTE = "bench"
PROFILES_ROUTE = "bench-profiles"


def attach(stack: EmbeddedStack) -> ApiCallMeter:
    """Meter the stack's AWS calls and invocations, answer GET /_aicc/bench and /_aicc/bench-profiles;
    call before `stack.start()`."""
    meter = ApiCallMeter()
    profiler = InvocationProfiler()
    stack.api_calls.add(meter)
    stack.api_calls.add(profiler)
    stack.resolver = profiler.wrap(stack.resolver)
    stack.info_routes[ROUTE] = lambda: describe_stack(stack, meter, profiler)
    stack.info_routes[PROFILES_ROUTE] = profiler.snapshot
    return meter


def describe_stack(stack: EmbeddedStack, meter: ApiCallMeter, profiler: InvocationProfiler) -> dict[str, Any]:
    functions: dict[str, Any] = {}
    for name in stack.stats.summary():
        stats = stack.stats.function(name)
        functions[name] = {
            "invocations": stats.invocations,
            "errors": stats.errors,
            # The newest samples last: the bench keeps as many as there were invocations since its snapshot.
            "duration_ms": [round(d, 3) for d in list(stats.duration_ms)],
            "messages": stats.messages,
        }
    memory = {poller.name: poller.binding.function.memory_mb for poller in stack.mapped_functions}
    processes = {"stack": os.getpid(), "moto": stack.moto.pid}
    if stack.dynamodb is not None:
        processes["moto-dynamodb"] = stack.dynamodb.pid
    return {
        "api_calls": meter.snapshot(),
        "profiled_invocations": profiler.counts(),
        "functions": functions,
        "memory_mb": memory,
        "peak_rss_kb": {name: peak_rss_kb(pid) for name, pid in processes.items()},
        "cpu_s": {name: cpu_seconds(pid) for name, pid in processes.items()},
        "pids": processes,
        "endpoints": {"moto": stack.moto_url, "dynamodb": stack.dynamodb_url},
        "state_dir": str(stack.state_dir.resolve()),
        "pollers": {
            "queues": len(stack.mapped_functions),
            "per_queue": stack.pollers_per_queue,
            "long_poll_s": stack.wait_time_s,
        },
    }
