"""The AWS projection's arithmetic on synthetic reply paths: seeded, with degenerate figures where a test
needs an exact value. No timing is measured here: the inputs are made up."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import replace
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest

from aicc.bench.hops import Node, TurnPath, hop_report, turn_path
from aicc.bench.projection import (
    EVENTBRIDGE_FIGURES,
    SQS_MAPPING,
    Figure,
    Model,
    ProjectionOptions,
    constant,
    cpu_factor,
    functions_of,
    project,
    project_report,
    run,
)
from aicc.bench.stats import percentiles
from contracts.manifest import manifest
from tests.bench_turns import five_hops, two_hops

# Each producer's Lambda function (from the manifest), at sizes fixed here rather than the deployed
# table's: every function at 256 MB, the aggregator at 512.
FUNCTIONS = {
    producer: (name, module, 512 if producer == "aggregator" else 256)
    for producer, (name, module, _) in functions_of(manifest()).items()
}


def function(producer: str) -> str:
    return FUNCTIONS[producer][0]


def profile(cpu_ms: float = 0.0, calls: dict[str, int] | None = None, push: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"cpu_ms": cpu_ms, "records": 1, "calls": calls or {}}
    if push:
        out["to_push"] = {"cpu_ms": cpu_ms, "calls": calls or {}}
    return out


def exact_model(profiles: dict[str, list[dict[str, Any]]], *, cold_share: float = 0.0, **figures: Any) -> Model:
    """EventBridge 100 ms, the mapping 10 ms, the ingress 5 ms, every call 1 ms, a cold start 50 ms."""
    return Model(
        eventbridge=figures.get("eventbridge", constant(100.0)),
        functions=FUNCTIONS,
        profiles=profiles,
        import_ms=figures.get("import_ms", {}),
        cold_share=cold_share,
        sqs=constant(10.0),
        ingress=constant(5.0),
        runtime_init=constant(50.0),
        calls=lambda operation: (constant(1.0), False),
    )


def path(*nodes: tuple[str, str, tuple[str, ...]], turn_type: str = "questions") -> TurnPath:
    """Nodes as (id, producer, inputs); the first is the message, the last the reply."""
    built = tuple(Node(event_id, "X", producer, inputs) for event_id, producer, inputs in nodes)
    return TurnPath("t", turn_type, None, tuple(n.event_id for n in built), built)


ONE_HOP = path(("m", "ingress", ()), ("r", "aggregator", ("m",)))
PARALLEL = path(
    ("m", "ingress", ()), ("a", "intent", ("m",)), ("b", "sentiment", ("m",)), ("r", "aggregator", ("a", "b"))
)


def test_a_figure_meets_its_published_quantiles_and_a_constant_is_constant() -> None:
    figure = EVENTBRIDGE_FIGURES["2023"]
    for q, ms in figure.quantiles:
        assert figure.at_score(NormalDist().inv_cdf(q)) == pytest.approx(ms)
    rng = random.Random(3)
    assert {constant(42.0).sample(rng) for _ in range(50)} == {42.0}
    # Sampled, the published quantiles come back (within the Monte-Carlo's noise).
    samples = percentiles([SQS_MAPPING.sample(rng) for _ in range(20000)])
    assert samples["p50"] == pytest.approx(16.2, rel=0.05)
    assert samples["p99"] == pytest.approx(105.0, rel=0.15)
    with pytest.raises(ValueError):
        Figure((), "nothing")


def test_one_hop_with_degenerate_figures_is_their_sum() -> None:
    model = exact_model({function("ingress"): [profile()], function("aggregator"): [profile(push=True)]})
    assert model.reply_ms(ONE_HOP, random.Random(1)) == pytest.approx(5 + 100 + 10)


def test_two_parallel_branches_cost_the_slower_one_not_the_sum() -> None:
    # Intent spends 10 ms of CPU, sentiment 30 ms, both at 256 MB: 1769/256 times longer on Lambda.
    profiles = {
        function("ingress"): [profile()],
        function("intent"): [profile(10.0)],
        function("sentiment"): [profile(30.0)],
        function("aggregator"): [profile(push=True)],
    }
    slower = 30.0 * cpu_factor(256)
    assert exact_model(profiles).reply_ms(PARALLEL, random.Random(1)) == pytest.approx(5 + 110 + slower + 110)


def test_the_publishing_call_is_inside_the_hop_and_the_push_counts_up_to_the_push() -> None:
    publishing = {"events.PutEvents": 2, "dynamodb.GetItem": 1}
    profiles = {
        function("ingress"): [profile(calls=publishing)],
        function("aggregator"): [profile(calls={"apigatewaymanagementapi.PostToConnection": 1}, push=True)],
    }
    # Ingress: one PutEvents and the GetItem (the other PutEvents is the hop's); the aggregator: its push.
    assert exact_model(profiles).reply_ms(ONE_HOP, random.Random(1)) == pytest.approx(5 + 2 + 110 + 1)


def test_cpu_follows_the_memory_of_the_function() -> None:
    assert cpu_factor(1769) == 1.0 and cpu_factor(3538) == 1.0
    assert cpu_factor(256) == pytest.approx(6.91, abs=0.01)
    profiles = {function("ingress"): [profile()], function("aggregator"): [profile(20.0, push=True)]}
    at_512 = exact_model(profiles).reply_ms(ONE_HOP, random.Random(1))
    functions = {**FUNCTIONS, "aggregator": (function("aggregator"), "handlers.aggregator", 1769)}
    at_1769 = replace(exact_model(profiles), functions=functions).reply_ms(ONE_HOP, random.Random(1))
    assert at_512 - at_1769 == pytest.approx(20.0 * (cpu_factor(512) - 1))


def test_more_hops_are_never_faster() -> None:
    profiles: dict[str, list[dict[str, Any]]] = {}
    paths = {}
    for name, log in (("five", five_hops()), ("two", two_hops())):
        traced = turn_path(log.turn_id, log.events)
        assert traced is not None
        paths[name] = traced
    model = Model(EVENTBRIDGE_FIGURES["2023"], FUNCTIONS, profiles, {}, 0.0)
    five, _ = run([paths["five"]], model, 2000, 7, 3000.0)
    two, _ = run([paths["two"]], model, 2000, 7, 3000.0)
    assert all(five[q] > two[q] for q in ("p50_ms", "p95_ms", "p99_ms"))


def test_no_cold_share_is_the_warm_projection_and_cold_starts_can_miss_the_deadline() -> None:
    log = five_hops()
    traced = turn_path(log.turn_id, log.events)
    assert traced is not None
    profiles = {function("ingress"): [profile()], function("aggregator"): [profile(push=True)]}
    none_cold = project([traced], profiles, {}, ProjectionOptions(cold_share=0.0, samples=500, seed=5))
    assert none_cold["cold"] == none_cold["warm"]

    # Every invocation cold, and handler imports of 2 s even on a whole vCPU: every reply is past the
    # 3 s deadline.
    slow_imports = {"handlers.intent": 2000.0, "handlers.sentiment": 2000.0, "handlers.routing": 2000.0}
    all_cold = project([traced], profiles, slow_imports, ProjectionOptions(cold_share=1.0, samples=500, seed=5))
    assert all_cold["warm"]["degraded_share"] == 0.0
    assert all_cold["cold"]["degraded_share"] == 1.0
    assert all_cold["cold"]["p50_ms"] > all_cold["warm"]["p99_ms"]


def test_a_larger_cold_share_never_makes_a_turn_faster() -> None:
    log = five_hops()
    traced = turn_path(log.turn_id, log.events)
    assert traced is not None
    imports = {"handlers.routing": 100.0}
    shares = [0.0, 0.05, 0.3]
    samples = []
    for share in shares:
        model = Model(EVENTBRIDGE_FIGURES["2023"], FUNCTIONS, {}, imports, share)
        rng = random.Random(11)
        samples.append([model.reply_ms(traced, rng) for _ in range(300)])
    for fewer, more in itertools.pairwise(samples):
        assert all(b >= a for a, b in zip(fewer, more, strict=True))
    assert sum(samples[2]) > sum(samples[0])


def test_the_pre_2023_figures_project_slower_and_a_seed_repeats_itself() -> None:
    log = five_hops()
    traced = turn_path(log.turn_id, log.events)
    assert traced is not None
    report = {"critical_path": hop_report([traced], 1), "invocation_profiles": {}, "handler_import_ms": {}}
    current = project_report(report, ProjectionOptions(eventbridge="2023", samples=800))
    before = project_report(report, ProjectionOptions(eventbridge="pre-2023", samples=800))
    assert before["warm"]["p50_ms"] > current["warm"]["p50_ms"]
    assert project_report(report, ProjectionOptions(eventbridge="2023", samples=800)) == current
    assert current["by_turn_type"]["greeting"]["warm"]["p50_ms"] == current["warm"]["p50_ms"]
    assert current["functions_without_profile"]  # nothing was profiled, and the projection says so
    with pytest.raises(ValueError):
        project_report(report, ProjectionOptions(eventbridge="someday"))


def test_project_only_recomputes_the_projection_from_a_previous_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aicc import cli

    log = two_hops()
    traced = turn_path(log.turn_id, log.events)
    assert traced is not None
    profiles = {function("ingress"): [profile(5.0)], function("aggregator"): [profile(3.0, push=True)]}
    report = tmp_path / "bench.json"
    report.write_text(json.dumps({"critical_path": hop_report([traced], 1), "invocation_profiles": profiles}))

    command = ["bench", "--project-only", str(report), "--json", "--cold-share", "0", "--projection-samples", "300"]
    assert cli.main([*command, "--eventbridge-figures", "pre-2023"]) == 0
    projected = json.loads(capsys.readouterr().out)
    assert projected["eventbridge_figures"] == "pre-2023" and projected["samples"] == 300
    assert projected["cold"] == projected["warm"]
    assert projected["by_turn_type"].keys() == {"warning lights"}
    with pytest.raises(SystemExit):
        cli.main([*command, "--eventbridge-figures", "someday"])


def test_a_snapstart_function_starts_cold_by_restoring_its_snapshot_not_by_importing() -> None:
    profiles = {function("ingress"): [profile()], function("aggregator"): [profile(push=True)]}
    imports = {"handlers.aggregator": 900.0}
    initialising = exact_model(profiles, cold_share=1.0, import_ms=imports)
    restoring = replace(initialising, snapstart=frozenset({function("aggregator")}), restore=constant(150.0))
    # Ingress 5 + the hop 110; the ingress's own cold start (50) either way; then the aggregator's:
    # runtime init and its import at 512 MB, or the restore.
    initialised = 5 + 50 + 110 + 50 + 900 * cpu_factor(512)
    assert initialising.reply_ms(ONE_HOP, random.Random(1)) == pytest.approx(initialised)
    assert restoring.reply_ms(ONE_HOP, random.Random(1)) == pytest.approx(5 + 50 + 110 + 150)


def test_the_projection_restores_where_terraform_enables_snapstart() -> None:
    from aicc.bench.projection import snapstart_functions
    from contracts.sizing import FUNCTIONS

    deployed = snapstart_functions(functions_of(manifest()))
    assert function("aggregator") in deployed and function("intent") in deployed
    assert function("routing") not in deployed  # off the reply path: no snapshot
    assert {name for name, row in FUNCTIONS.items() if row.reply_path} >= {"aggregator", "intent", "ws_ingress"}
