"""`aicc bench` with a tiny load: the JSON is complete and its counts add up. No timing assertions
(budgets are measured by the bench itself, not by tests: DESIGN §8)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aicc.bench.meter import ApiCallMeter, difference, item_size
from aicc.bench.run import find_knee, percentiles

pytestmark = pytest.mark.embedded

REQUIRED = (
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "ack_ms",
    "turns_per_s",
    "lost",
    "duplicated",
    "degraded",
    "api_calls_per_turn",
    "api_calls_per_turn_by_operation",
    "cost_per_turn_usd",
    "cost_per_1000_turns_usd",
    "handlers",
    "critical_path",
    "handler_import_ms",
    "peak_rss_mb",
    "cpu_ms_per_turn",
    "invocation_profiles",
    "projection",
)


def test_a_tiny_bench_run_reports_every_figure_and_its_counts_add_up() -> None:
    turns = 6
    command = [sys.executable, "-m", "aicc.cli", "bench", "--customers", "2", "--turns", str(turns)]
    command += ["--warmup", "2", "--import-runs", "1", "--json", "--no-progress"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)

    assert not [key for key in REQUIRED if key not in result]
    assert result["turns"] == turns and result["turns_answered"] == turns
    assert result["lost"] == 0 and result["duplicated"] == 0
    assert len(result["reply_samples_ms"]) == turns
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]

    # Calls are counted by operation, and the per-operation figures add up to the total.
    by_operation = result["api_calls_per_turn_by_operation"]
    assert result["api_calls_per_turn"] > 0
    assert {"events.PutEvents", "sqs.ReceiveMessage", "dynamodb.UpdateItem"} <= by_operation.keys()
    assert sum(by_operation.values()) == pytest.approx(result["api_calls_per_turn"], abs=0.1)
    counted = sum(c["calls"] for ops in result["api_calls"].values() for c in ops.values())
    assert counted == result["api_calls_total"]

    # Every turn went through ingress and the aggregator; each handler reports its timing.
    assert result["handlers"]["aicc-ws-ingress"]["invocations"] == turns
    # Queue-fed agents may get several turns' messages in one batch: count records, not invocations.
    intent = result["handlers"]["aicc-intent"]
    assert intent["messages"] == turns and 1 <= intent["invocations"] <= turns
    assert all(row["p50_ms"] is not None for row in result["handlers"].values())

    cost = result["cost"]
    assert result["cost_per_turn_usd"] > 0
    assert sum(cost["components_usd"].values()) == pytest.approx(result["cost_per_turn_usd"], rel=1e-3)
    assert cost["components_usd"]["bedrock"] == 0
    assert cost["quantities_per_turn"]["eventbridge_events"] >= 1

    assert result["critical_path"]["critical_path_hops"] >= 2
    assert result["critical_path"]["longest_chain"][0].startswith("ConversationReceived")
    assert result["critical_path"]["longest_chain"][-1].startswith("ReplySent")
    # Hops per turn type, and a projection of every traced turn from the invocations profiled.
    assert (
        sum(row["turns"] for row in result["critical_path"]["by_turn_type"].values())
        == (result["critical_path"]["traced_turns"])
    )
    projection = result["projection"]
    assert projection["warm"]["p50_ms"] <= projection["warm"]["p95_ms"] <= projection["warm"]["p99_ms"]
    assert projection["cold"]["p95_ms"] >= projection["warm"]["p95_ms"]
    assert projection["functions_without_profile"] == []
    assert result["invocation_profiles"]["aicc-aggregator"][0]["calls"]
    assert set(result["peak_rss_mb"]) >= {"stack", "moto", "total"}
    # CPU per turn, by process: every part did work, and the parts add up to the total.
    cpu = result["cpu_ms_per_turn"]
    assert set(cpu) >= {"stack", "moto", "total"} and all(ms > 0 for ms in cpu.values())
    assert sum(ms for name, ms in cpu.items() if name != "total") == pytest.approx(cpu["total"], abs=0.2)
    # The event-source mappings run inside moto; their receives and deletes are still counted.
    assert result["api_calls"]["sqs"]["ReceiveMessage"]["messages_received"] >= turns
    assert by_operation["sqs.DeleteMessageBatch"] > 0
    assert "handlers.intent" in result["handler_import_ms"]


def test_the_meter_counts_billable_units_by_operation() -> None:
    meter = ApiCallMeter()
    before = meter.snapshot()
    entries = [{"Source": "aicc.x", "DetailType": "T", "Detail": "{}"}] * 3
    meter("events", "PutEvents", {"Entries": entries}, {"Entries": [{}] * 3})
    meter("sqs", "ReceiveMessage", {}, {"Messages": [{"Body": "x"}, {"Body": "y"}]})
    meter("sqs", "ReceiveMessage", {}, {})
    big = {"pk": {"S": "k"}, "blob": {"S": "x" * 2500}}
    meter("dynamodb", "PutItem", {"Item": big}, {})
    meter("dynamodb", "GetItem", {"ConsistentRead": True}, {"Item": big})
    meter("dynamodb", "Query", {}, {"Items": [big, big]})
    delta = difference(meter.snapshot(), before)

    assert delta["events"]["PutEvents"] == {"calls": 1, "events": 3}
    assert delta["sqs"]["ReceiveMessage"]["calls"] == 2
    assert delta["sqs"]["ReceiveMessage"]["messages_received"] == 2
    assert delta["sqs"]["ReceiveMessage"]["empty_receives"] == 1
    assert item_size(big) == 2 + 1 + 4 + 2500
    assert delta["dynamodb"]["PutItem"]["write_units"] == 3  # 2.5 KB -> three 1 KB units
    assert delta["dynamodb"]["GetItem"]["read_units"] == 1  # strongly consistent, under 4 KB
    assert delta["dynamodb"]["Query"]["read_units"] == 1  # 5 KB eventually consistent: 2 x 0.5


def test_the_knee_is_where_more_load_stops_paying() -> None:
    def level(customers: int, turns_per_s: float, p95: float) -> dict[str, float]:
        return {"customers": customers, "turns_per_s": turns_per_s, "p95_ms": p95}

    scaling = [level(1, 3.0, 400), level(2, 5.5, 450), level(4, 6.0, 900), level(8, 6.1, 1900)]
    assert find_knee(scaling)["customers"] == 2
    assert find_knee([level(1, 3.0, 400), level(2, 5.9, 420)])["reached"] is False
    assert percentiles([5.0, 1.0, 3.0, 2.0, 4.0]) == {"p50": 3.0, "p95": 5.0, "p99": 5.0, "max": 5.0}
