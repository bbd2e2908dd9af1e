"""`aicc bench`: start (or reach) the embedded stack, warm it up, drive it, and measure one run.

Order of work, and why:
1. handler import times, in fresh interpreters, before anything else runs (nothing competes for CPU);
2. the stack, in a process of its own (aicc.bench.serve), unless `--url` names a running one;
3. a warm-up phase (connections, handler first calls, moto's lazy imports), not measured;
4. the measured phase at `--customers`, then each `--sweep` level on the same stack; every phase
   is bracketed by two `GET /_aicc/bench` snapshots (running totals, subtracted), the second one
   after `SETTLE_S`, so the analytics agent's batched writes and the deferred deletes are counted;
5. the reply path of a sample of the measured turns, from the analytics event log: hops per turn
   type (aicc.bench.hops), and with each function's invocation profiles, the AWS projection
   (aicc.bench.projection).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import aiohttp

from aicc.bench.cost import FunctionUsage, cost_per_turn, function_memory_mb
from aicc.bench.driver import Customers, PhaseResult, TurnRecord
from aicc.bench.hops import hop_report, read_turn_paths
from aicc.bench.meter import Snapshot, difference
from aicc.bench.mix import load_mix
from aicc.bench.probe import PROFILES_ROUTE, ROUTE
from aicc.bench.profiler import since
from aicc.bench.projection import ProjectionOptions, project_report
from aicc.bench.serve import READY_PREFIX
from aicc.bench.stats import percentiles
from aicc.embedded.sigv4 import load_credentials, sign
from aicc.embedded.stack import REGION
from aicc.runtime.auth import state_dir as default_state_dir

# The analytics mapping waits up to 1 s to fill a batch; deletes are sent after the handler returns.
SETTLE_S = 1.5
STACK_START_TIMEOUT_S = 120.0
STACK_STOP_TIMEOUT_S = 60.0
# Turns whose reply path is read from the event log (one query each): enough for every turn type.
HOP_SAMPLES = 60
# Invocation profiles kept per function in the result (the projection's inputs, re-read by --project-only).
PROFILES_PER_FUNCTION = 400
IMPORT_PROBE = (
    "import time, sys; t = time.perf_counter(); import {module}; "
    "sys.stdout.write(str((time.perf_counter() - t) * 1000))"
)


@dataclass
class BenchOptions:
    customers: int = 4
    turns: int | None = 60
    duration_s: float | None = None
    warmup: int = 10
    sweep: list[int] = field(default_factory=list)
    url: str | None = None
    state_dir: Path | None = None
    reply_timeout_s: float = 15.0
    import_runs: int = 3
    progress: bool = True
    projection: ProjectionOptions = field(default_factory=ProjectionOptions)


# --- the stack ----------------------------------------------------------------------------------


class StackProcess:
    """`python -m aicc.bench.serve` on free ports; stopped with SIGINT like `aicc up`."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self._log: IO[str] | None = None
        self._drainer: threading.Thread | None = None

    def start(self) -> str:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # The stack sets its own AWS and aicc environment; the caller's must not leak into it.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AICC_"))}
        self._log = (self.state_dir / "stack.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aicc.bench.serve", "--state-dir", str(self.state_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + STACK_START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith(READY_PREFIX):
                self.url = json.loads(line[len(READY_PREFIX) :])["url"]
                # Handlers log to stdout (powertools); an unread pipe would fill and block them all.
                self._drainer = threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True)
                self._drainer.start()
                return self.url
            self._write_log(line)
        self.stop()
        raise RuntimeError(f"the embedded stack did not start; see {self.state_dir / 'stack.log'}")

    def _write_log(self, line: str) -> None:
        if self._log is not None and not self._log.closed:
            self._log.write(line)

    def _drain(self, stream: IO[str]) -> None:
        # Ends at EOF, when the stack process exits.
        for line in stream:
            self._write_log(line)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STACK_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._drainer is not None:
            self._drainer.join(timeout=5)
        if self._log is not None:
            self._log.close()


def _http_base(websocket_url: str) -> str:
    parts = urlsplit(websocket_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("aicc bench only talks to a stack on this machine (127.0.0.1)")
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}"


async def stack_info(base: str, route: str = ROUTE, state_dir: Path | None = None) -> dict[str, Any]:
    """GET /_aicc/<route>, SigV4-signed with the credentials of the stack using `state_dir`
    (default: AICC_STATE_DIR, else .aicc, as `aicc up`)."""
    url = f"{base}/_aicc/{route}"
    headers = sign(load_credentials(state_dir or default_state_dir()), "GET", url, region=REGION)
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        if response.status == 404:
            raise RuntimeError(f"{base} has no /_aicc/bench: is it an embedded stack of this version?")
        response.raise_for_status()
        info: dict[str, Any] = await response.json()
        return info


# --- measuring ------------------------------------------------------------------------------------


def measure_imports(runs: int) -> dict[str, dict[str, float]]:
    """Each handler module imported `runs` times in a fresh interpreter (Lambda's init phase)."""
    from contracts.frames import WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES
    from contracts.manifest import manifest

    dotted = [a.handler for a in manifest().agents] + [h for h, _ in WEBSOCKET_ROUTES.values()]
    dotted.append(WEBSOCKET_AUTHORIZER)
    report: dict[str, dict[str, float]] = {}
    for module in sorted({d.rpartition(".")[0] for d in dotted}):
        times = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", IMPORT_PROBE.format(module=module)],
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            )
            times.append(float(out.stdout))
        if times:
            report[module] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    return report


def summarise_phase(phase: PhaseResult, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    turns = phase.turns
    sent = len(turns)
    answered = [t for t in turns if not t.lost]
    reply = percentiles([t.reply_ms for t in answered if t.reply_ms is not None])
    ack = percentiles([t.ack_ms for t in turns if t.ack_ms is not None])
    turns_per_s = len(answered) / phase.elapsed_s

    api_calls: Snapshot = difference(after["api_calls"], before["api_calls"])
    total_calls = sum(c["calls"] for ops in api_calls.values() for c in ops.values())
    by_operation = {
        f"{service}.{operation}": round(counters["calls"] / max(1, sent), 2)
        for service, operations in sorted(api_calls.items())
        for operation, counters in sorted(operations.items(), key=lambda item: -item[1]["calls"])
    }
    by_service = {
        service: round(sum(c["calls"] for c in operations.values()) / max(1, sent), 2)
        for service, operations in sorted(api_calls.items())
    }

    handlers: dict[str, Any] = {}
    usage: dict[str, FunctionUsage] = {}
    for name, now in after["functions"].items():
        earlier = before["functions"].get(name, {"invocations": 0})
        invocations = now["invocations"] - earlier["invocations"]
        if invocations <= 0:
            continue
        durations = now["duration_ms"][-invocations:]
        memory = after["memory_mb"].get(name) or function_memory_mb(name)
        shares = percentiles(durations)
        handlers[name] = {
            "invocations": invocations,
            # Records handled: a batch of several messages is one invocation.
            "messages": now.get("messages", 0) - earlier.get("messages", 0),
            "invocations_per_turn": round(invocations / max(1, sent), 2),
            "errors": now["errors"] - earlier.get("errors", 0),
            "p50_ms": shares["p50"],
            "p95_ms": shares["p95"],
            "memory_mb": memory,
        }
        # Lambda bills each invocation rounded up to the millisecond.
        usage[name] = FunctionUsage(invocations, float(sum(math.ceil(d) for d in durations)), memory)

    cost = cost_per_turn(
        turns=sent,
        turns_per_s=turns_per_s,
        api_calls=api_calls,
        functions=usage,
        websocket_messages=phase.websocket_messages,
        queues=int(after.get("pollers", {}).get("queues", 0)),
    )
    # Where the stand-in spends its CPU: per process, per turn (the stack runs every handler).
    cpu_ms_per_turn: dict[str, float] = {}
    for name, now_s in (after.get("cpu_s") or {}).items():
        earlier_s = (before.get("cpu_s") or {}).get(name)
        if now_s is not None and earlier_s is not None:
            cpu_ms_per_turn[name] = round((now_s - earlier_s) * 1000 / max(1, sent), 1)
    if cpu_ms_per_turn:
        cpu_ms_per_turn["total"] = round(sum(cpu_ms_per_turn.values()), 1)
    return {
        "customers": phase.customers,
        "turns": sent,
        "turns_answered": len(answered),
        "p50_ms": reply["p50"],
        "p95_ms": reply["p95"],
        "p99_ms": reply["p99"],
        "max_ms": reply["max"],
        "reply_ms": reply,
        "ack_ms": ack,
        "turns_per_s": round(turns_per_s, 2),
        "elapsed_s": round(phase.elapsed_s, 2),
        "lost": sent - len(answered),
        "duplicated": sum(1 for t in turns if t.replies > 1),
        "degraded": sum(1 for t in answered if t.degraded),
        # Load shed (aicc.agents.overload): turns answered `busy` at least once, and `busy` answers in all;
        # their reply times above count from the admitted send.
        "shed_turns": sum(1 for t in turns if t.shed),
        "shed_answers": sum(t.shed for t in turns),
        "degraded_share": round(sum(1 for t in answered if t.degraded) / max(1, len(answered)), 3),
        "shed_share": round(sum(1 for t in turns if t.shed) / max(1, sent), 3),
        "errors": sum(1 for t in answered if t.error),
        "handed_to_a_person": sum(1 for t in answered if t.route == "human"),
        "api_calls_per_turn": round(total_calls / max(1, sent), 2),
        "api_calls_total": int(total_calls),
        "api_calls_per_turn_by_service": by_service,
        "api_calls_per_turn_by_operation": by_operation,
        "api_calls": api_calls,
        "handlers": handlers,
        "cpu_ms_per_turn": cpu_ms_per_turn,
        "websocket_messages": phase.websocket_messages,
        "connections": phase.connections,
        "cost_per_turn_usd": round(cost["cost_per_turn_usd"], 9),
        "cost_per_1000_turns_usd": round(cost["cost_per_1000_turns_usd"], 6),
        "cost": cost,
        "reply_samples_ms": [round(t.reply_ms, 1) for t in answered if t.reply_ms is not None],
    }


def find_knee(levels: list[dict[str, Any]], gain: float = 0.10) -> dict[str, Any]:
    """The load after which more customers stop paying.

    With levels c1 < c2 < ... and their throughput T and p95 latency P, the knee is the first level
    c_k whose next level c_{k+1} adds less than `gain` (10 %) throughput, T_{k+1} < (1 + gain) T_k, or
    makes p95 grow faster than the load, P_{k+1} / P_k > c_{k+1} / c_k (by Little's law the extra
    customers then only queue). If every step pays, the knee is beyond the last level tried.
    """
    ordered = sorted(levels, key=lambda level: level["customers"])
    for current, following in itertools.pairwise(ordered):
        throughput_flat = following["turns_per_s"] < (1 + gain) * current["turns_per_s"]
        load_ratio = following["customers"] / current["customers"]
        p95_now, p95_next = current.get("p95_ms") or 0, following.get("p95_ms") or 0
        latency_outgrows_load = p95_now > 0 and p95_next / p95_now > load_ratio
        if throughput_flat or latency_outgrows_load:
            return {
                "customers": current["customers"],
                "turns_per_s": current["turns_per_s"],
                "p95_ms": current["p95_ms"],
                "reached": True,
                "reason": "throughput stops improving" if throughput_flat else "p95 grows faster than the load",
                "definition": " ".join((find_knee.__doc__ or "").split("\n\n")[1].split()),
            }
    last = ordered[-1] if ordered else {"customers": None, "turns_per_s": None, "p95_ms": None}
    return {
        "customers": last["customers"],
        "turns_per_s": last["turns_per_s"],
        "p95_ms": last["p95_ms"],
        "reached": False,
        "reason": "every level tried still scaled",
    }


# --- progress ---------------------------------------------------------------------------------------


class Progress:
    """One line on stderr, redrawn at most five times a second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.label = ""
        self.total: int | None = None
        self.duration_s: float | None = None
        self.done = 0
        self.lost = 0
        self.started = time.perf_counter()
        self._last_draw = 0.0
        self._latencies: list[float] = []

    def phase(self, label: str, total: int | None, duration_s: float | None = None) -> None:
        self.finish()
        self.label, self.total, self.duration_s = label, total, duration_s
        self.done = self.lost = 0
        self._latencies = []
        self.started = time.perf_counter()
        self._draw(force=True)

    def turn(self, record: TurnRecord) -> None:
        self.done += 1
        self.lost += record.lost
        if record.reply_ms is not None:
            self._latencies.append(record.reply_ms)
        self._draw()

    def note(self, text: str) -> None:
        if self.enabled:
            self.finish()
            print(text, file=sys.stderr, flush=True)

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last_draw < 0.2):
            return
        self._last_draw = now
        elapsed = now - self.started
        if self.total:
            fraction = min(1.0, self.done / self.total)
        elif self.duration_s:
            fraction = min(1.0, elapsed / self.duration_s)
        else:
            fraction = 0.0
        bar = "#" * int(fraction * 30) + "." * (30 - int(fraction * 30))
        p50 = f"{statistics.median(self._latencies):.0f} ms" if self._latencies else "-"
        rate = self.done / elapsed if elapsed > 0 else 0.0
        print(
            f"\r{self.label:<14} [{bar}] {self.done:>5} turns  {rate:5.1f}/s  p50 {p50:>7}  lost {self.lost}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    def finish(self) -> None:
        if self.enabled and self.label:
            self._draw(force=True)
            print(file=sys.stderr, flush=True)
            self.label = ""


# --- the run ------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(), "system": platform.platform()}


async def _measured_phase(
    customers: Customers, base: str, progress: Progress, label: str, level: int, options: BenchOptions
) -> tuple[dict[str, Any], PhaseResult, dict[str, Any]]:
    before = await stack_info(base, state_dir=customers.state_dir)
    progress.phase(label, options.turns, options.duration_s)
    phase = await customers.run_phase(level, options.turns, options.duration_s)
    progress.finish()
    await asyncio.sleep(SETTLE_S)
    after = await stack_info(base, state_dir=customers.state_dir)
    return summarise_phase(phase, before, after), phase, before


def _evenly(items: list[Any], count: int) -> list[Any]:
    """At most `count` of `items`, spread evenly over them."""
    return items[:: max(1, math.ceil(len(items) / count))][:count]


async def _drive(url: str, state_dir: Path, options: BenchOptions, progress: Progress) -> dict[str, Any]:
    base = _http_base(url)
    info = await stack_info(base, state_dir=state_dir)
    customers = Customers(
        url, load_mix(), state_dir=state_dir, reply_timeout_s=options.reply_timeout_s, on_turn=progress.turn
    )
    if options.warmup:
        progress.phase("warm-up", options.warmup)
        await customers.run_phase(max([options.customers, *options.sweep]), options.warmup)
        progress.finish()
    result, phase, before = await _measured_phase(customers, base, progress, "measuring", options.customers, options)
    profiles = since(await stack_info(base, PROFILES_ROUTE, state_dir), before.get("profiled_invocations") or {})
    result["invocation_profiles"] = {name: _evenly(p, PROFILES_PER_FUNCTION) for name, p in sorted(profiles.items())}
    answered = [t.turn_id for t in phase.turns if t.turn_id and not t.lost and not t.error]
    sample = _evenly(answered, HOP_SAMPLES)
    paths = await asyncio.to_thread(read_turn_paths, sample, info["endpoints"]["dynamodb"])
    result["critical_path"] = hop_report(paths, len(sample))
    sweep = []
    for level in options.sweep:
        level_result, _, _ = await _measured_phase(customers, base, progress, f"sweep {level:>3}", level, options)
        sweep.append({k: v for k, v in level_result.items() if k not in ("api_calls", "cost", "reply_samples_ms")})
        sweep[-1]["reply_samples_ms"] = level_result["reply_samples_ms"]
    if sweep:
        result["sweep"] = sweep
        result["knee"] = find_knee(sweep)
    final = await stack_info(base, state_dir=state_dir)
    result["peak_rss_mb"] = {
        name: round(kb / 1024, 1) if kb is not None else None for name, kb in final["peak_rss_kb"].items()
    }
    result["peak_rss_mb"]["total"] = round(sum(v for v in result["peak_rss_mb"].values() if v), 1)
    return result


async def run_bench(options: BenchOptions) -> dict[str, Any]:
    progress = Progress(options.progress)
    imports: dict[str, dict[str, float]] = {}
    if options.import_runs > 0:
        progress.note(f"importing each handler module {options.import_runs}x in a fresh interpreter")
        imports = await asyncio.to_thread(measure_imports, options.import_runs)
    stack: StackProcess | None = None
    url = options.url
    # The stack's signing key and SigV4 credentials: --state-dir, else AICC_STATE_DIR or .aicc, as `aicc up`.
    state_dir = options.state_dir or default_state_dir()
    with tempfile.TemporaryDirectory(prefix="aicc-bench-") as scratch:
        try:
            if url is None:
                state_dir = options.state_dir or Path(scratch) / "state"
                stack = StackProcess(state_dir)
                progress.note("starting the embedded stack on free ports")
                url = await asyncio.to_thread(stack.start)
            result = await _drive(url, state_dir, options, progress)
        finally:
            progress.finish()
            if stack is not None:
                await asyncio.to_thread(stack.stop)
    result["handler_import_ms"] = imports
    result["projection"] = project_report(result, options.projection)
    result["machine"] = machine()
    result["config"] = {
        "customers": options.customers,
        "turns": options.turns,
        "duration_s": options.duration_s,
        "warmup_turns": options.warmup,
        "sweep": options.sweep,
        "url": options.url or "embedded stack started by aicc bench",
        "reply_timeout_s": options.reply_timeout_s,
    }
    return result
