"""How a bench result is shown: a table for the terminal, a markdown report with PNG plots.

matplotlib is imported only for `--report` (it is a dev dependency, not a runtime one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "-"


def _usd(value: float) -> str:
    return f"${value:.7f}" if value < 0.01 else f"${value:.4f}"


def format_table(result: dict[str, Any]) -> str:
    cost = result["cost"]
    reply, ack = result["reply_ms"], result["ack_ms"]
    lines = [
        f"aicc bench — {result['customers']} customers, {result['turns']} turns "
        f"({result['machine']['cpus']} CPUs, {result['machine']['cpu']}, Python {result['machine']['python']})",
        "",
        f"{'':24} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}",
        f"{'message -> reply':24} {_ms(reply['p50']):>8} {_ms(reply['p95']):>8} {_ms(reply['p99']):>8} "
        f"{_ms(reply['max']):>8}",
        f"{'message -> ack':24} {_ms(ack['p50']):>8} {_ms(ack['p95']):>8} {_ms(ack['p99']):>8} {_ms(ack['max']):>8}",
        "",
        f"throughput              {result['turns_per_s']} turns/s sustained",
        f"lost / duplicated       {result['lost']} / {result['duplicated']}",
        f"degraded / errors       {result['degraded']} / {result['errors']}   (to a person: "
        f"{result['handed_to_a_person']})",
        f"shed (busy, retried)    {result.get('shed_turns', 0)} turns, {result.get('shed_answers', 0)} busy answers   "
        f"(degraded share {result.get('degraded_share', 0):.1%}, shed share {result.get('shed_share', 0):.1%})",
        f"AWS API calls per turn  {result['api_calls_per_turn']}   "
        + ", ".join(f"{s} {n}" for s, n in result["api_calls_per_turn_by_service"].items()),
    ]
    path = result.get("critical_path") or {}
    if path.get("critical_path_hops") is not None:
        lines.append(
            f"critical path           median {path['critical_path_hops']} hops, at most {path['max_hops']}: "
            + " -> ".join(path["longest_chain"])
        )
    if result.get("cpu_ms_per_turn"):
        lines.append(
            "CPU per turn            " + ", ".join(f"{k} {v} ms" for k, v in result["cpu_ms_per_turn"].items())
        )
    if result.get("peak_rss_mb"):
        lines.append("peak RSS                " + ", ".join(f"{k} {v} MB" for k, v in result["peak_rss_mb"].items()))
    lines += ["", "API calls per turn by operation"]
    for operation, per_turn in sorted(result["api_calls_per_turn_by_operation"].items(), key=lambda x: -x[1]):
        lines.append(f"  {operation:40} {per_turn:>7}")
    lines += ["", f"{'handler':26} {'per turn':>8} {'p50':>8} {'p95':>8} {'MB':>5}"]
    for name, row in sorted(result["handlers"].items()):
        lines.append(
            f"  {name:24} {row['invocations_per_turn']:>8} {_ms(row['p50_ms']):>8} {_ms(row['p95_ms']):>8} "
            f"{row['memory_mb']:>5}"
        )
    if result.get("handler_import_ms"):
        lines += ["", f"{'handler import (fresh interpreter)':40} {'median':>8} {'max':>8}"]
        for module, row in result["handler_import_ms"].items():
            lines.append(f"  {module:38} {_ms(row['median_ms']):>8} {_ms(row['max_ms']):>8}")
    lines += ["", f"AWS cost per turn (us-east-1 list prices as of {cost['prices']['as_of']})"]
    for component, usd in cost["components_usd"].items():
        lines.append(f"  {component:26} {_usd(usd):>12} per turn  {_usd(usd * 1000):>12} per 1,000")
    lines.append(
        f"  {'total':26} {_usd(result['cost_per_turn_usd']):>12} per turn  "
        f"{_usd(result['cost_per_1000_turns_usd']):>12} per 1,000"
    )
    for name, usd in cost["compare_per_turn_usd"].items():
        lines.append(f"  {name + ' (per message)':40} {_usd(usd):>12}  {_usd(usd * 1000):>12} per 1,000")
    quantities = cost["quantities_per_turn"]
    lines.append(
        f"  idle polling floor: {quantities['sqs_idle_polling_floor']:.2f} receives per turn at this throughput, "
        f"{_usd(cost['idle_polling_usd_per_month'])} a month with no traffic"
    )
    lines += format_hops(path)
    if result.get("projection"):
        lines += ["", *format_projection(result["projection"])]
    if result.get("sweep"):
        lines += ["", f"{'load sweep':12} {'turns/s':>8} {'p50':>8} {'p95':>8} {'lost':>5} {'$/1,000':>10}"]
        for level in result["sweep"]:
            lines.append(
                f"  {level['customers']:>3} customers {level['turns_per_s']:>6} {_ms(level['p50_ms']):>8} "
                f"{_ms(level['p95_ms']):>8} {level['lost']:>5} {_usd(level['cost_per_1000_turns_usd']):>10}"
            )
        knee = result["knee"]
        state = "at" if knee["reached"] else "beyond (not reached; last level)"
        lines.append(f"  knee {state} {knee['customers']} customers: {knee['turns_per_s']} turns/s ({knee['reason']})")
    return "\n".join(lines)


def format_hops(path: dict[str, Any]) -> list[str]:
    """Reply-path hops per turn type, from the causal chains of the traced turns."""
    by_type = path.get("by_turn_type") or {}
    if not by_type:
        return []
    lines = [
        "",
        f"reply-path hops by turn type ({path['traced_turns']} of {path['sampled_turns']} sampled turns traced "
        "to their message; hops = bus deliveries on the reply's causal chain, DAG = on any path it waited for)",
        f"  {'turn type':16} {'turns':>5} {'median':>6} {'max':>4} {'DAG':>4}  longest chain",
    ]
    for kind, row in by_type.items():
        lines.append(
            f"  {kind:16} {row['turns']:>5} {row['hops_median']:>6} {row['hops_max']:>4} {row['dag_hops_max']:>4}  "
            + " -> ".join(row["longest_chain"])
        )
    return lines


def format_projection(projection: dict[str, Any]) -> list[str]:
    """The projected AWS latency (aicc.bench.projection), warm and with the cold share."""
    if "error" in projection:
        return [f"projected AWS latency: {projection['error']}"]
    warm, cold = projection["warm"], projection["cold"]
    share = projection["cold_share"]
    lines = [
        f"projected AWS latency (Monte-Carlo, {projection['samples']} turns, seed {projection['seed']}, "
        f"EventBridge figures '{projection['eventbridge_figures']}'; method: docs/projection.md)",
        f"  {'':24} {'p50':>8} {'p95':>8} {'p99':>8}  over the {projection['turn_deadline_s']} s deadline",
        f"  {'warm':24} {_ms(warm['p50_ms']):>8} {_ms(warm['p95_ms']):>8} {_ms(warm['p99_ms']):>8}  "
        f"{warm['degraded_share']:.1%}",
        f"  {f'{share:.0%} of invocations cold':24} {_ms(cold['p50_ms']):>8} {_ms(cold['p95_ms']):>8} "
        f"{_ms(cold['p99_ms']):>8}  {cold['degraded_share']:.1%}",
    ]
    for kind, row in projection["by_turn_type"].items():
        lines.append(
            f"  {kind:24} {_ms(row['warm']['p50_ms']):>8} {_ms(row['warm']['p95_ms']):>8} "
            f"{_ms(row['warm']['p99_ms']):>8}  (warm)"
        )
    if not projection.get("handler_import_measured"):
        lines.append("  cold starts without the handlers' import time (--import-runs 0)")
    for key, label in (
        ("functions_without_profile", "functions with no profiled invocation (counted as 0 ms)"),
        ("operations_with_the_generic_figure", "calls with no figure of their own (the generic one used)"),
    ):
        if projection.get(key):
            lines.append(f"  {label}: {', '.join(projection[key])}")
    return lines


def write_report(result: dict[str, Any], directory: Path) -> Path:
    """report.md and three PNGs in `directory`; returns the markdown file's path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)

    figure, axis = plt.subplots(figsize=(7, 4))
    samples = result["reply_samples_ms"]
    axis.hist(samples, bins=min(40, max(5, len(samples) // 3)), color="#4477aa")
    for name, colour in (("p50_ms", "#228833"), ("p95_ms", "#ccbb44"), ("p99_ms", "#ee6677")):
        if result[name] is not None:
            axis.axvline(result[name], color=colour, linestyle="--", label=f"{name[:3]} {result[name]:.0f} ms")
    axis.set_xlabel("message -> reply (ms)")
    axis.set_ylabel("turns")
    axis.set_title(f"Latency distribution, {result['customers']} customers, {result['turns']} turns")
    axis.legend()
    figure.tight_layout()
    figure.savefig(directory / "latency_distribution.png", dpi=110)
    plt.close(figure)

    levels = result.get("sweep") or [result]
    customers = [level["customers"] for level in levels]
    figure, axis = plt.subplots(figsize=(7, 4))
    axis.plot(customers, [level["p50_ms"] for level in levels], marker="o", label="p50")
    axis.plot(customers, [level["p95_ms"] for level in levels], marker="o", label="p95")
    axis.set_xlabel("concurrent customers")
    axis.set_ylabel("message -> reply (ms)")
    throughput = axis.twinx()
    throughput.plot(customers, [level["turns_per_s"] for level in levels], marker="s", color="#aa3377", label="turns/s")
    throughput.set_ylabel("turns/s")
    if result.get("knee"):
        axis.axvline(result["knee"]["customers"], color="grey", linestyle=":", label="knee")
    handles = axis.get_legend_handles_labels()[0] + throughput.get_legend_handles_labels()[0]
    axis.legend(handles=handles, loc="upper left")
    axis.set_title("Latency and throughput against load")
    figure.tight_layout()
    figure.savefig(directory / "latency_vs_load.png", dpi=110)
    plt.close(figure)

    components = result["cost"]["components_usd"]
    figure, axis = plt.subplots(figsize=(7, 4))
    names = list(components)
    axis.barh(names, [components[n] * 1000 for n in names], color="#66ccee")
    axis.set_xlabel("USD per 1,000 turns")
    axis.set_title(f"AWS cost per 1,000 turns: ${result['cost_per_1000_turns_usd']:.4f} (Connect chat: $4.00)")
    figure.tight_layout()
    figure.savefig(directory / "cost_breakdown.png", dpi=110)
    plt.close(figure)

    markdown = [
        "# aicc bench report",
        "",
        "```",
        format_table(result),
        "```",
        "",
        "![latency distribution](latency_distribution.png)",
        "",
        "![latency against load](latency_vs_load.png)",
        "",
        "![cost breakdown](cost_breakdown.png)",
        "",
        "## How the figures are made",
        "",
        "- Latency is measured by the simulated customers, from sending a message to its first ack / reply frame.",
        "- API calls are counted by a botocore hook on every client of the stack (handlers and pollers).",
        "- Cost: "
        + ", ".join(f"[{k}]({v})" for k, v in result["cost"]["prices"]["sources"].items())
        + f"; list prices as of {result['cost']['prices']['as_of']}; assumptions: "
        + ", ".join(f"{k} = {v}" for k, v in result["cost"]["prices"]["assumptions"].items())
        + ".",
        "- Projected AWS latency: the measured reply paths and invocations, with per-hop figures from "
        "published measurements (each with its source in the JSON's `projection.figures`); method in "
        "docs/projection.md.",
    ]
    if result.get("knee"):
        markdown += ["", "## Knee", "", result["knee"].get("definition") or "", ""]
    path = directory / "report.md"
    path.write_text("\n".join(markdown) + "\n")
    return path
