"""A projected AWS latency for the measured turns: Monte-Carlo over published per-hop figures.

What is measured on the stand-in, per turn and per function (aicc.bench.hops, aicc.bench.profiler):
- the reply path of each traced turn: the events the reply waited for and, for each, the events its
  producer waited for (a DAG: parallel branches join at the agent that waits for them);
- per invocation of each function: its CPU time and its AWS calls, in order.

What is taken from published figures (each below with its source and date), or chosen where only a
qualitative statement exists (said so at the figure):
- a bus hop: EventBridge -> SQS target, then SQS -> Lambda through the event-source mapping;
- each AWS call an invocation makes, one after the other (handlers make them sequentially);
- a cold start: the runtime's init plus the handler module's import, measured here.

One sample of a turn (formulas in docs/projection.md):
    done(root)  = ingress + invocation(ingress)
    done(event) = max over its inputs i of (done(i) + eventbridge + sqs_mapping) + invocation(producer)
    reply       = done(ReplySent), the pushing invocation counted up to its PostToConnection
    invocation  = cpu_ms * max(1, 1769 / memory_mb) + sum of its calls' samples
                  (+ runtime init + module import * the same factor, with probability cold_share)
The call that publishes an event is left out of its producer's invocation: the EventBridge figure
is measured from before the producer's PutEvents to the consumer's start, so it holds that call.

Seeded `random`, no numpy: the same inputs and seed give the same projection.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist
from typing import Any

from aicc.bench.cost import function_memory_mb, sizing_key
from aicc.bench.hops import TurnPath
from aicc.bench.stats import percentiles
from aicc.embedded.invoke import function_name_for
from contracts.frames import WEBSOCKET_ROUTES
from contracts.manifest import Manifest, manifest

# --- published figures ----------------------------------------------------------------------------

BITE_SIZED = (
    "Luc van Donkersgoed, 'Serverless Messaging: Latency Compared', Bite-Sized Serverless, "
    "https://bitesizedserverless.com/bite/serverless-messaging-latency-compared/ "
    "(eu-west-1; producer Lambda timestamp -> consumer Lambda, 1,024 messages per service)"
)
DYNAMODB_LATENCY = (
    "AWS Database Blog, 'Understanding Amazon DynamoDB latency' "
    "(https://aws.amazon.com/blogs/database/understanding-amazon-dynamodb-latency/): "
    "'single-digit millisecond performance', service side"
)
LAMBDA_MEMORY = (
    "AWS Lambda Developer Guide, 'Configure Lambda function memory' "
    "(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): "
    "'At 1,769 MB, a function has the equivalent of one vCPU'"
)
LAMBDA_PERF = (
    "lambda-perf (Maxime David), https://maxday.github.io/lambda-perf/, python3.12 on arm64, "
    "init duration of 10 cold starts, December 2025: 64-91 ms"
)
AMAZON_KEY = (
    "'Mastering millisecond latency and millions of events: the event-driven architecture behind the "
    "Amazon Key Suite' (AWS, February 2026), read in a summary, https://earezki.com/ai-news/"
    "2026-02-04-mastering-millisecond-latency-and-millions-of-events-the-event-driven-architecture-"
    "behind-the-amazon-key-suite/ : p90 80 ms at 2,000 events/s"
)
# Lambda gives a function CPU in proportion to its memory, one vCPU at this size.
ONE_VCPU_MB = 1769
# Beyond p99.99 a sample is clamped: a handful of published quantiles says nothing about that tail.
Z_LIMIT = NormalDist().inv_cdf(0.9999)


@dataclass(frozen=True)
class Figure:
    """A latency known by some of its quantiles, in ms.

    Sampling: ln(ms) is interpolated linearly against the standard-normal score of the quantile
    between the known quantiles, and extended beyond the outer ones with the outer segments' slopes.
    Between two quantiles that is a log-normal through both, so the distribution meets every
    published quantile exactly. (A log-normal fitted to p50 and p90 alone misses the SQS p99 by
    40 %; published tails are what the p95 and p99 of a turn are made of.)
    """

    quantiles: tuple[tuple[float, float], ...]  # (q, ms), q ascending
    source: str
    chosen: bool = False  # True: no published percentile; the value is ours, and `source` says why

    def __post_init__(self) -> None:
        if not self.quantiles or any(ms < 0 for _, ms in self.quantiles):
            raise ValueError("a figure needs at least one quantile, none negative")

    def at_score(self, z: float) -> float:
        z = max(-Z_LIMIT, min(Z_LIMIT, z))
        scores, ys, logarithmic = self._knots
        value = _piecewise(scores, ys, z)
        return math.exp(value) if logarithmic else value

    @cached_property
    def _knots(self) -> tuple[list[float], list[float], bool]:
        scores = [NormalDist().inv_cdf(q) for q, _ in self.quantiles]
        values = [ms for _, ms in self.quantiles]
        if min(values) <= 0 or min(values) == max(values):
            # A zero quantile has no logarithm, and a constant needs none: interpolate in ms.
            return scores, values, False
        return scores, [math.log(v) for v in values], True

    def sample(self, rng: random.Random) -> float:
        return self.at_score(rng.gauss(0.0, 1.0))

    def public(self) -> dict[str, Any]:
        return {
            "quantiles_ms": {f"p{round(q * 100):d}": ms for q, ms in self.quantiles},
            "source": self.source,
            "chosen": self.chosen,
        }


def _piecewise(xs: list[float], ys: list[float], x: float) -> float:
    """Linear through (xs, ys), extended past either end with the end segment's slope."""
    if len(xs) == 1:
        return ys[0]
    index = 1
    while index < len(xs) - 1 and x > xs[index]:
        index += 1
    x0, x1, y0, y1 = xs[index - 1], xs[index], ys[index - 1], ys[index]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def constant(ms: float, source: str = "constant") -> Figure:
    return Figure(((0.5, ms),), source)


EVENTBRIDGE_2023 = ((0.10, 113.0), (0.50, 148.0), (0.90, 241.0), (0.99, 387.0))
# "2023" is the newest set with every quantile measured, so it is the default; "current" is the
# newest published figure, a p90 only; "pre-2023" shows what the upgrade changed.
EVENTBRIDGE_FIGURES: dict[str, Figure] = {
    # Re-measured after EventBridge's latency upgrade of 17 February 2023 (same author, same method).
    "2023": Figure(
        EVENTBRIDGE_2023,
        BITE_SIZED + ", EventBridge re-measured after the upgrade of 17 February 2023",
    ),
    "pre-2023": Figure(
        ((0.10, 221.0), (0.50, 395.0), (0.90, 579.0), (0.99, 794.0)),
        BITE_SIZED + ", measured 4-5 September 2022, before the upgrade of 17 February 2023",
    ),
    # Only a p90 is published: the 2023 shape, scaled so its p90 is 80 ms.
    "current": Figure(
        tuple((q, round(ms * 80.0 / 241.0, 1)) for q, ms in EVENTBRIDGE_2023),
        AMAZON_KEY + "; only the p90 is published, the other quantiles are the 2023 shape scaled to it",
    ),
}
DEFAULT_EVENTBRIDGE = "2023"

SQS_MAPPING = Figure(
    ((0.10, 13.7), (0.50, 16.2), (0.90, 33.8), (0.99, 105.0)),
    BITE_SIZED + ", SQS standard queue -> Lambda event-source mapping, no batching window, 4-5 September 2022",
)
RUNTIME_INIT = Figure(((0.0001, 64.0), (0.9999, 91.0)), LAMBDA_PERF + " (the range taken as p0.01-p99.99)")
SNAPSTART_RESTORE = Figure(
    ((0.50, 200.0), (0.90, 400.0), (0.99, 800.0)),
    "AWS News Blog, 'AWS Lambda SnapStart for Python and .NET functions is now generally available' "
    "(November 2024): 'sub-second startup performance'; no percentiles are published for Python. Chosen: "
    "p50 200 / p90 400 / p99 800 ms for a restore (it replaces runtime init and the handler's import: "
    "the snapshot is taken after both)",
    chosen=True,
)

DYNAMODB_ITEM = Figure(
    ((0.50, 5.0), (0.90, 9.0), (0.99, 20.0)),
    DYNAMODB_LATENCY + ". Chosen: p50 5 / p90 9 / p99 20 ms for one item seen from a Lambda in the "
    "region (the service's single digits plus a kept-alive HTTPS round trip; a tail for the occasional "
    "spike the post describes)",
    chosen=True,
)
DYNAMODB_ITEMS = Figure(
    ((0.50, 8.0), (0.90, 15.0), (0.99, 35.0)),
    DYNAMODB_LATENCY + ". Chosen for requests of several items (query, batch, transaction): the "
    "single-item figure plus the slowest of the items it touches",
    chosen=True,
)
PUT_EVENTS = Figure(
    ((0.50, 15.0), (0.90, 30.0), (0.99, 70.0)),
    "No published percentiles for PutEvents. Chosen: p50 15 / p90 30 / p99 70 ms, below the "
    "EventBridge p10 end to end (113 ms, " + BITE_SIZED + ") of which the call is a part",
    chosen=True,
)
SQS_SEND = Figure(
    ((0.50, 8.0), (0.90, 15.0), (0.99, 40.0)),
    "No published percentiles for SendMessage. Chosen below the SQS end-to-end p10 (13.7 ms, "
    + BITE_SIZED
    + ") of which the producer's SendMessage is a part",
    chosen=True,
)
POST_TO_CONNECTION = Figure(
    ((0.50, 20.0), (0.90, 40.0), (0.99, 100.0)),
    "No published percentiles for API Gateway's @connections PostToConnection. Chosen: p50 20 / p90 40 / "
    "p99 100 ms, an HTTPS call to a regional endpoint that forwards one frame",
    chosen=True,
)
WEBSOCKET_INGRESS = Figure(
    ((0.50, 20.0), (0.90, 40.0), (0.99, 100.0)),
    "No published percentiles for a WebSocket message -> Lambda integration of API Gateway. Chosen as "
    "PostToConnection, the same service in the other direction",
    chosen=True,
)
OTHER_CALL = Figure(
    ((0.50, 10.0), (0.90, 25.0), (0.99, 60.0)),
    "Any other AWS call: chosen, and the projection lists the operations it was used for",
    chosen=True,
)
DYNAMODB_MULTI_ITEM = {"Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"}
PUBLISH_OPERATION = "events.PutEvents"
PUSH_OPERATION = "apigatewaymanagementapi.PostToConnection"


def call_figure(operation: str) -> tuple[Figure, bool]:
    """The figure for `service.Operation`, and whether it is the catch-all."""
    service, _, name = operation.partition(".")
    if service == "dynamodb":
        return (DYNAMODB_ITEMS if name in DYNAMODB_MULTI_ITEM else DYNAMODB_ITEM), False
    if operation == PUBLISH_OPERATION:
        return PUT_EVENTS, False
    if service == "sqs":
        return SQS_SEND, False
    if operation == PUSH_OPERATION:
        return POST_TO_CONNECTION, False
    return OTHER_CALL, True


# --- the model -------------------------------------------------------------------------------------


@dataclass
class ProjectionOptions:
    eventbridge: str = DEFAULT_EVENTBRIDGE
    cold_share: float = 0.05
    snapstart: bool = True  # as Terraform deploys the reply path; False: every cold start initialises
    samples: int = 4000
    seed: int = 1


def functions_of(plan: Manifest) -> dict[str, tuple[str, str, int]]:
    """producer name -> (function name, handler module, memory in MB), from the manifest and the
    WebSocket routes (publishers that consume no queue, such as the ingress)."""
    out: dict[str, tuple[str, str, int]] = {}
    for agent in plan.agents:
        out[agent.name] = (function_name_for(agent.handler), agent.handler.rpartition(".")[0], agent.memory_mb)
    for producer in plan.producers:
        for handler, _ in WEBSOCKET_ROUTES.values():
            module = handler.rpartition(".")[0]
            if module.rsplit(".", 1)[-1] in (producer, f"ws_{producer}"):
                out[producer] = (function_name_for(handler), module, function_memory_mb(function_name_for(handler)))
    return out


def snapstart_functions(functions: dict[str, tuple[str, str, int]]) -> frozenset[str]:
    """The functions Terraform deploys with SnapStart: the reply path of contracts/sizing.py."""
    from contracts.sizing import FUNCTIONS

    return frozenset(
        name for name, _, _ in functions.values() if (row := FUNCTIONS.get(sizing_key(name))) and row.reply_path
    )


def cpu_factor(memory_mb: int) -> float:
    """How much longer CPU work takes at this memory than on one whole vCPU (a single thread gains
    nothing from more than one)."""
    return max(1.0, ONE_VCPU_MB / memory_mb)


@dataclass
class Model:
    eventbridge: Figure
    functions: dict[str, tuple[str, str, int]]
    profiles: dict[str, list[dict[str, Any]]]
    import_ms: dict[str, float]
    cold_share: float
    # Functions whose cold start restores a SnapStart snapshot instead of initialising.
    snapstart: frozenset[str] = frozenset()
    sqs: Figure = SQS_MAPPING
    ingress: Figure = WEBSOCKET_INGRESS
    runtime_init: Figure = RUNTIME_INIT
    restore: Figure = SNAPSTART_RESTORE
    calls: Callable[[str], tuple[Figure, bool]] = call_figure
    # What the samples ran into, reported with the projection.
    generic_operations: set[str] = field(default_factory=set)
    unprofiled: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._publishing = {
            name: [p for p in profiles if p["calls"].get(PUBLISH_OPERATION)] or profiles
            for name, profiles in self.profiles.items()
        }
        self._pushing = {name: [p for p in profiles if p.get("to_push")] for name, profiles in self.profiles.items()}

    def delivery(self, rng: random.Random) -> float:
        return self.eventbridge.sample(rng) + self.sqs.sample(rng)

    def invocation(self, producer: str, rng: random.Random, *, pushes: bool) -> float:
        function, module, memory_mb = self.functions.get(producer, (producer, "", ONE_VCPU_MB))
        factor = cpu_factor(memory_mb)
        # Drawn whether cold or not: every projection then uses the same random numbers for the same
        # seed, so a larger cold share only adds time to each sampled turn (common random numbers).
        cold, init_ms, restore_ms = (
            rng.random() < self.cold_share,
            self.runtime_init.sample(rng),
            self.restore.sample(rng),
        )
        if not cold:
            spent = 0.0
        elif function in self.snapstart:
            spent = restore_ms
        else:
            spent = init_ms + self.import_ms.get(module, 0.0) * factor
        choices = (self._pushing if pushes else self._publishing).get(function) or []
        if not choices:
            self.unprofiled.add(function)
            return spent
        profile = rng.choice(choices)
        if pushes:
            cpu_ms, calls = profile["to_push"]["cpu_ms"], dict(profile["to_push"]["calls"])
        else:
            cpu_ms, calls = profile["cpu_ms"], dict(profile["calls"])
            if calls.get(PUBLISH_OPERATION):
                calls[PUBLISH_OPERATION] -= 1  # inside the EventBridge figure
        spent += cpu_ms * factor
        for operation, count in sorted(calls.items()):
            figure, generic = self.calls(operation)
            if generic and count:
                self.generic_operations.add(operation)
            spent += sum(figure.sample(rng) for _ in range(count))
        return spent

    def reply_ms(self, path: TurnPath, rng: random.Random) -> float:
        done: dict[str, float] = {}
        last = path.nodes[-1]
        for node in path.nodes:
            arrivals = [done[i] + self.delivery(rng) for i in node.inputs if i in done]
            start = max(arrivals) if arrivals else self.ingress.sample(rng)
            done[node.event_id] = start + self.invocation(node.producer, rng, pushes=node is last)
        return done[last.event_id]


def run(
    paths: list[TurnPath], model: Model, samples: int, seed: int, deadline_ms: float
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """`samples` turns, round robin over the measured paths (each measured turn weighs the same)."""
    rng = random.Random(seed)
    by_type: dict[str, list[float]] = defaultdict(list)
    everything: list[float] = []
    for index in range(samples):
        path = paths[index % len(paths)]
        ms = model.reply_ms(path, rng)
        everything.append(ms)
        by_type[path.turn_type].append(ms)
    shares = percentiles(everything)
    summary = {
        "p50_ms": shares["p50"],
        "p95_ms": shares["p95"],
        "p99_ms": shares["p99"],
        "degraded_share": round(sum(1 for ms in everything if ms > deadline_ms) / len(everything), 4),
    }
    return summary, by_type


def project(
    paths: list[TurnPath],
    profiles: dict[str, list[dict[str, Any]]],
    import_ms: dict[str, float],
    options: ProjectionOptions,
    plan: Manifest | None = None,
) -> dict[str, Any]:
    """Warm and with `options.cold_share` of invocations cold: p50/p95/p99 and the share of replies
    later than the turn deadline (which then go out degraded), overall and per turn type."""
    plan = plan or manifest()
    if options.eventbridge not in EVENTBRIDGE_FIGURES:
        raise ValueError(f"unknown EventBridge figures {options.eventbridge!r}; one of {sorted(EVENTBRIDGE_FIGURES)}")
    if not paths:
        return {"error": "no traced turn: nothing to project"}
    functions = functions_of(plan)
    snapstart = snapstart_functions(functions) if options.snapstart else frozenset()
    deadline_ms = plan.turn_deadline_s * 1000.0
    results: dict[str, Any] = {}
    per_type: dict[str, dict[str, Any]] = defaultdict(dict)
    models = []
    for label, share in (("warm", 0.0), ("cold", options.cold_share)):
        model = Model(EVENTBRIDGE_FIGURES[options.eventbridge], functions, profiles, import_ms, share, snapstart)
        results[label], by_type = run(paths, model, options.samples, options.seed, deadline_ms)
        for kind, samples in sorted(by_type.items()):
            shares = percentiles(samples)
            per_type[kind][label] = {"p50_ms": shares["p50"], "p95_ms": shares["p95"], "p99_ms": shares["p99"]}
        models.append(model)
    used = {functions[p.producer][0] for path in paths for p in path.nodes if p.producer in functions}
    return {
        "eventbridge_figures": options.eventbridge,
        "cold_share": options.cold_share,
        "snapstart": sorted(snapstart),
        "samples": options.samples,
        "seed": options.seed,
        "traced_turns": len(paths),
        "turn_deadline_s": plan.turn_deadline_s,
        **results,
        "by_turn_type": dict(per_type),
        "memory_mb": {f: m for f, _, m in functions.values() if f in used},
        "cpu_factor": {f: round(cpu_factor(m), 2) for f, _, m in functions.values() if f in used},
        "invocations_profiled": {f: len(profiles.get(f, [])) for f in sorted(used)},
        "mean_records_per_invocation": {
            f: round(sum(p["records"] for p in profiles[f]) / len(profiles[f]), 2)
            for f in sorted(used)
            if profiles.get(f)
        },
        "functions_without_profile": sorted(set().union(*(m.unprofiled for m in models))),
        "operations_with_the_generic_figure": sorted(set().union(*(m.generic_operations for m in models))),
        "handler_import_measured": bool(import_ms),
        "figures": {
            "eventbridge": EVENTBRIDGE_FIGURES[options.eventbridge].public(),
            "sqs_event_source_mapping": SQS_MAPPING.public(),
            "runtime_init": RUNTIME_INIT.public(),
            "snapstart_restore": SNAPSTART_RESTORE.public(),
            "dynamodb_item": DYNAMODB_ITEM.public(),
            "dynamodb_items": DYNAMODB_ITEMS.public(),
            "put_events": PUT_EVENTS.public(),
            "sqs_send": SQS_SEND.public(),
            "post_to_connection": POST_TO_CONNECTION.public(),
            "websocket_ingress": WEBSOCKET_INGRESS.public(),
            "other_call": OTHER_CALL.public(),
            "lambda_cpu": LAMBDA_MEMORY,
        },
    }


def import_medians(handler_import_ms: dict[str, dict[str, float]]) -> dict[str, float]:
    """module -> median import ms, from the bench's `handler_import_ms`."""
    return {module: row["median_ms"] for module, row in handler_import_ms.items()}


def project_report(result: dict[str, Any], options: ProjectionOptions) -> dict[str, Any]:
    """The projection from a bench result (this run's, or a previous run's JSON)."""
    paths = [TurnPath.of(p) for p in (result.get("critical_path") or {}).get("turns", [])]
    return project(
        paths,
        result.get("invocation_profiles") or {},
        import_medians(result.get("handler_import_ms") or {}),
        options,
    )
