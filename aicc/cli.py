"""The `aicc` command: run the embedded stack, chat with it, mint tokens, inspect the NLU."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

DEFAULT_URL = "ws://127.0.0.1:8080/ws"
REPLAY_HELP = """Replays never reach a customer's socket and never book, offer or count twice: agents with side
effects (servicing, marketing, analytics) are not re-run (their archived results stand in), and the
reply path (aggregator, response) always is. Replies go to a replay-results store; `aicc replay diff
NAME` compares them with the original replies."""
DEMO_USERS = {
    "customer": ("cust-0001", None),
    "dealer": ("staff-north-1", "dlr-north"),
    "oem_staff": ("oem-0001", None),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aicc", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start the whole system on the embedded default (moto + gateway + agents)")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8080, help="WebSocket gateway port")
    up.add_argument("--moto-port", type=int, default=5000, help="port of the moto server (the AWS stand-in)")
    up.add_argument("--dynamodb-port", type=int, default=5001, help="port of moto's DynamoDB process")
    up.add_argument("--state-dir", type=Path, default=Path(".aicc"), help="local signing key and runtime state")
    up.add_argument(
        "--fresh", action="store_true", help="start with empty tables (drops the data kept in the state dir)"
    )
    up.add_argument(
        "--no-moto-speedups",
        action="store_true",
        help="moto with its correctness patches only (also: AICC_MOTO_SPEEDUPS=0)",
    )

    chat = commands.add_parser("chat", help="a terminal chat client")
    chat.add_argument("--url", default=DEFAULT_URL, help=f"WebSocket URL (default {DEFAULT_URL})")
    chat.add_argument("--token", help="JWT; default: a local token for the demo customer")
    chat.add_argument("--user", help="demo user to mint a local token for (default cust-0001)")
    chat.add_argument("--conversation", help="continue this conversation id")
    chat.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for a reply")

    token = commands.add_parser("token", help="print a JWT for a seeded demo user (embedded default)")
    token.add_argument("--role", choices=sorted(DEMO_USERS), default="customer")
    token.add_argument("--user", help="user id (default: the role's demo user)")
    token.add_argument("--dealer", help="dealer id for role dealer (default dlr-north)")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    token.add_argument("--state-dir", type=Path, default=None)

    nlu = commands.add_parser("nlu", help="print intent, entities and sentiment of a text as JSON")
    nlu.add_argument("text")

    evaluate = commands.add_parser(
        "eval",
        help="score the NLU on a JSONL file of {text, intent, sentiment}, or a dialog suite (--dialogs)",
    )
    evaluate.add_argument("file", type=Path, nargs="?", help="the NLU's JSONL file")
    evaluate.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    evaluate.add_argument(
        "--dialogs",
        type=Path,
        metavar="FILE_OR_DIR",
        help="run a dialog suite (YAML/JSON, e.g. tests/dialogs) against a stack and score every turn",
    )
    evaluate.add_argument("--url", default=None, help="dialogs: a running stack's WebSocket URL (default: start one)")
    evaluate.add_argument("--state-dir", type=Path, default=None, help="dialogs: signing key of the stack at --url")
    evaluate.add_argument("--reply-timeout", type=float, default=15.0, help="dialogs: seconds to wait for a reply")
    evaluate.add_argument("--only", action="append", default=[], help="dialogs: only this category or id prefix")
    evaluate.add_argument(
        "--summary", action="store_true", help="dialogs: the score table only, without the failing turns"
    )
    evaluate.add_argument(
        "--min-turn-pass-rate",
        type=float,
        default=None,
        metavar="X",
        help="dialogs: exit 1 when the share of turns passed (0-1) is below X (default: report only)",
    )

    stats = commands.add_parser("stats", help="turns, intents, sentiment, escalations, latency, degraded share")
    stats.add_argument("--days", type=int, default=1, help="how many days back, today included")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--endpoint-url", default=None, help="AWS endpoint (default: the embedded stack's moto)")

    replay = commands.add_parser(
        "replay", help="replay the bus archive into the agents (or `replay diff NAME`)", description=REPLAY_HELP
    )
    replay.add_argument("action", nargs="?", choices=["diff"], help="diff: compare a replay with the originals")
    replay.add_argument("name", nargs="?", help="the replay to diff (with `diff`) or the name for a new replay")
    replay.add_argument("--from", dest="start", help="window start (ISO 8601, UTC if no offset)")
    replay.add_argument("--to", dest="end", help="window end (ISO 8601; default now)")
    replay.add_argument("--last", help="window ending now: 90s, 15m, 2h, 1d")
    replay.add_argument("--agent", action="append", default=[], help="replay only into this agent's rules")
    replay.add_argument("--json", action="store_true")
    replay.add_argument("--endpoint-url", default=None)

    trace = commands.add_parser("trace", help="the causal timeline of a turn or a conversation")
    trace.add_argument("id", help="a turn id or a conversation id")
    trace.add_argument("--json", action="store_true")
    trace.add_argument("--endpoint-url", default=None)

    _add_dlq_parser(commands)

    seed = commands.add_parser("seed", help="load the reference data into the tables (uses AWS_ENDPOINT_URL)")
    seed.add_argument("--table-prefix", default=None)

    bench = commands.add_parser(
        "bench", help="measure latency, throughput, AWS API calls and cost per turn of the embedded stack"
    )
    bench.add_argument("--customers", type=int, default=4, help="concurrent simulated customers")
    bench.add_argument("--turns", type=int, default=60, help="measured turns (after the warm-up)")
    bench.add_argument("--duration", type=float, default=None, help="measure for this many seconds instead")
    bench.add_argument("--warmup", type=int, default=10, help="turns before measuring (not counted)")
    bench.add_argument("--sweep", default="", help="load sweep: comma-separated customer counts, e.g. 1,2,4,8,16")
    bench.add_argument("--url", default=None, help="a running stack's WebSocket URL (default: start one)")
    bench.add_argument("--state-dir", type=Path, default=None, help="signing key of the stack at --url")
    bench.add_argument("--reply-timeout", type=float, default=15.0, help="seconds before a turn counts as lost")
    bench.add_argument("--import-runs", type=int, default=3, help="fresh-interpreter imports per handler (0: skip)")
    bench.add_argument("--json", action="store_true", help="one JSON object on stdout")
    bench.add_argument("--report", type=Path, default=None, help="write report.md and PNG plots to this directory")
    bench.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    bench.add_argument(
        "--cold-share", type=float, default=0.05, help="projection: share of invocations that start cold (0-1)"
    )
    bench.add_argument(
        "--eventbridge-figures",
        default="2023",
        choices=["2023", "current", "pre-2023"],
        help="projection: the published EventBridge latency to use: 2023 (re-measured after the February 2023 "
        "upgrade), current (Amazon Key, 2026: a p90 only) or pre-2023",
    )
    bench.add_argument(
        "--no-snapstart",
        action="store_true",
        help="projection: cold starts initialise (runtime + import) even where Terraform enables SnapStart",
    )
    bench.add_argument("--projection-samples", type=int, default=4000, help="projection: Monte-Carlo turns")
    bench.add_argument("--seed", type=int, default=1, help="projection: random seed")
    bench.add_argument(
        "--project-only",
        type=Path,
        default=None,
        metavar="REPORT.json",
        help="recompute the projection from a previous `aicc bench --json` output, without running the stack",
    )

    args = parser.parse_args(argv)
    handlers = {
        "up": _up,
        "chat": _chat,
        "token": _token,
        "nlu": _nlu,
        "eval": _eval,
        "seed": _seed,
        "stats": _stats,
        "replay": _replay,
        "trace": _trace,
        "bench": _bench,
        "dlq": _dlq,
    }
    return handlers[args.command](args)


def _up(args: argparse.Namespace) -> int:
    from aicc.bench import probe
    from aicc.embedded.moto.registry import moto_version_problem

    problem = moto_version_problem()
    if problem is not None:
        print(f"aicc up: {problem}", file=sys.stderr)
        return 2
    from aicc.embedded.stack import run_stack

    return run_stack(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        dynamodb_port=args.dynamodb_port,
        state_dir=args.state_dir,
        moto_speedups=False if args.no_moto_speedups else None,
        fresh=args.fresh,
        instruments=[probe.attach],  # GET /_aicc/bench, so `aicc bench --url` can measure this stack
    )


def _token(args: argparse.Namespace) -> int:
    from aicc.runtime.auth import issue_token

    default_user, default_dealer = DEMO_USERS[args.role]
    dealer = args.dealer or default_dealer if args.role == "dealer" else None
    print(issue_token(args.user or default_user, args.role, dealer_id=dealer, ttl_s=args.ttl, directory=args.state_dir))
    return 0


def _nlu(args: argparse.Namespace) -> int:
    from aicc.nlu import analyze_sentiment, detect_intent

    intent = detect_intent(args.text)
    sentiment = analyze_sentiment(args.text)
    print(
        json.dumps(
            {
                "intent": intent.intent,
                "confidence": round(intent.confidence, 4),
                "alternatives": [a.model_dump() for a in intent.alternatives],
                "entities": intent.entities.model_dump(exclude_none=True),
                "sentiment": {
                    "label": sentiment.label,
                    "score": round(sentiment.score, 4),
                    "urgency": sentiment.urgency,
                    "cues": list(sentiment.cues),
                },
                "model": intent.model,
            },
            indent=2,
        )
    )
    return 0


def _eval(args: argparse.Namespace) -> int:
    if args.dialogs is not None:
        return _eval_dialogs(args)
    if args.file is None:
        raise SystemExit("aicc eval: give the NLU's JSONL file, or --dialogs FILE_OR_DIR")
    from aicc.nlu import evaluate

    rows = [json.loads(line) for line in args.file.read_text().splitlines() if line.strip()]
    report = evaluate(rows)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"messages            {report['n']}")
    print(f"intent accuracy     {report['intent_accuracy']:.3f}")
    print(f"intent macro-F1     {report['intent_macro_f1']:.3f}")
    print(f"'other' recall      {report['other_recall']:.3f}")
    if report.get("sentiment_accuracy") is not None:
        print(f"sentiment accuracy  {report['sentiment_accuracy']:.3f}")
    print()
    print(f"{'intent':22} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}")
    for intent, scores in sorted(report["per_intent"].items()):
        print(
            f"{intent:22} {scores['precision']:6.2f} {scores['recall']:6.2f} {scores['f1']:6.2f} {scores['support']:4d}"
        )
    print()
    print("confusion (gold -> predicted, off-diagonal only)")
    for gold, predicted in sorted(report["confusion"].items()):
        errors = {p: n for p, n in predicted.items() if p != gold}
        if errors:
            print(f"  {gold:22} " + ", ".join(f"{p}={n}" for p, n in sorted(errors.items(), key=lambda x: -x[1])))
    return 0


def _eval_dialogs(args: argparse.Namespace) -> int:
    from aicc.dialogs.report import format_report, summarise
    from aicc.dialogs.run import ConversationResult, run_against_stack
    from aicc.dialogs.suite import load_suite

    try:
        conversations = load_suite(args.dialogs)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"aicc eval --dialogs: {exc}") from None
    if args.only:
        conversations = [
            c for c in conversations if c.category in args.only or any(c.id.startswith(o) for o in args.only)
        ]

    def progress(result: ConversationResult) -> None:
        mark = "." if result.passed else "F"
        print(mark, end="", file=sys.stderr, flush=True)

    try:
        results = asyncio.run(
            run_against_stack(
                conversations,
                url=args.url,
                state_dir=args.state_dir,
                reply_timeout_s=args.reply_timeout,
                on_conversation=progress,
            )
        )
    except (OSError, RuntimeError) as exc:
        print(f"aicc eval --dialogs: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    summary = summarise(results)
    print(json.dumps(summary) if args.json else format_report(summary, failures=not args.summary))
    if args.min_turn_pass_rate is not None and summary["turn_pass_rate"] < args.min_turn_pass_rate:
        print(f"turn pass rate {summary['turn_pass_rate']:.1%} is below {args.min_turn_pass_rate:.1%}", file=sys.stderr)
        return 1
    return 0


def _seed(args: argparse.Namespace) -> int:
    import os

    from aicc.seed import seed_reference_data

    if args.table_prefix:
        os.environ["AICC_TABLE_PREFIX"] = args.table_prefix
    print(json.dumps(seed_reference_data()))
    return 0


def _embedded_defaults(endpoint_url: str | None) -> None:
    """Point boto3 at the local stack unless the user's environment says otherwise."""
    import os

    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    if "AWS_ENDPOINT_URL" not in os.environ and "AWS_PROFILE" not in os.environ:
        os.environ.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
        os.environ.setdefault("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5001")
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.setdefault("AWS_REGION", "us-east-1")


def _stats(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics
    from aicc.agents.analytics import last_days, stats

    _embedded_defaults(args.endpoint_url)
    summary = stats(DynamoDBAnalytics(), last_days(datetime.now(UTC).date(), args.days))
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"turns               {summary['turns']}")
    print(f"p50 / p95 latency   {summary['p50_ms']} / {summary['p95_ms']} ms (bucket upper bounds)")
    print(f"degraded share      {summary['degraded_share']:.1%}")
    print(f"escalations         {summary['escalations']}  {summary['queues']}")
    print(f"bookings made       {summary['bookings']}  {summary['booking_kinds']}")
    print(f"sentiment           {summary['sentiment']}")
    print("intents")
    for intent, count in sorted(summary["intents"].items(), key=lambda x: -x[1]):
        print(f"  {intent:22} {count}")
    return 0


def _window(args: argparse.Namespace) -> tuple[Any, Any]:
    from datetime import UTC, datetime, timedelta

    def parse(value: str) -> datetime:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    end = parse(args.end) if args.end else datetime.now(UTC)
    if args.last:
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        amount, unit = args.last[:-1], args.last[-1]
        if unit not in units or not amount.isdigit():
            raise SystemExit("--last takes a number and a unit: 90s, 15m, 2h, 1d")
        return end - timedelta(seconds=int(amount) * units[unit]), end
    if not args.start:
        raise SystemExit("give --last or --from")
    return parse(args.start), end


def _replay(args: argparse.Namespace) -> int:
    from aicc import ops

    _embedded_defaults(args.endpoint_url)
    if args.action == "diff":
        if not args.name:
            raise SystemExit("usage: aicc replay diff NAME")
        report = ops.replay_diff(args.name)
        if args.json:
            print(json.dumps(report))
            return 0
        for turn in report["turns"]:
            if turn["status"] == "same":
                continue
            print(f"turn {turn['turn_id']}: {turn['status']} {', '.join(turn.get('fields', []))}")
            for key in turn.get("fields") or ("text",):
                before = (turn.get("original") or {}).get(key)
                after = (turn.get("replayed") or {}).get(key)
                print(f"  {key:14} before: {json.dumps(before)[:140]}")
                print(f"  {'':14} after:  {json.dumps(after)[:140]}")
        print(f"same {report['same']}, changed {report['changed']}, missing {report['missing']}")
        return 0
    start, end = _window(args)
    name = ops.start_replay(start, end, args.agent, name=args.name)

    def progress(fraction: float, state: str) -> None:
        if not args.json:
            filled = int(fraction * 30)
            print(f"\r{name} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {state:10}", end="", file=sys.stderr)

    outcome = ops.follow_replay(name, progress=progress)
    if args.json:
        print(json.dumps({"name": outcome.name, "state": outcome.state, "events": outcome.events}))
    else:
        print(file=sys.stderr)
        print(outcome.name)
        print(f"{outcome.turns} turns replayed, {outcome.events} answered; state {outcome.state}", file=sys.stderr)
    return 0 if outcome.state == "COMPLETED" else 1


def _trace(args: argparse.Namespace) -> int:
    from aicc import ops

    _embedded_defaults(args.endpoint_url)
    try:
        result = ops.trace(args.id)
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
        return 0
    for turn in result if isinstance(result, list) else [result]:
        print(
            f"turn {turn['turn_id']}  latency {turn['latency_ms']} ms  degraded {turn['degraded']}"
            f"  deadline fired {turn['deadline_fired']}  missing {turn['missing']}"
        )
        for event in turn["events"]:
            print(
                f"  +{event['elapsed_ms']:8.1f} ms  {event['id'][:12]:12}  {event['source']:22} "
                f"{event['detail_type']:22} caused by {event['causation_id'][:12]}"
            )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from aicc.bench.projection import EVENTBRIDGE_FIGURES, ProjectionOptions, project_report
    from aicc.bench.report import format_projection, format_table, write_report
    from aicc.bench.run import BenchOptions, run_bench

    if not 0.0 <= args.cold_share <= 1.0 or args.projection_samples < 1:
        raise SystemExit("--cold-share is a share between 0 and 1, --projection-samples at least 1")
    if args.eventbridge_figures not in EVENTBRIDGE_FIGURES:
        raise SystemExit(f"--eventbridge-figures is one of {', '.join(EVENTBRIDGE_FIGURES)}")
    projection = ProjectionOptions(
        eventbridge=args.eventbridge_figures,
        cold_share=args.cold_share,
        snapstart=not args.no_snapstart,
        samples=args.projection_samples,
        seed=args.seed,
    )
    if args.project_only:
        previous = json.loads(args.project_only.read_text())
        projected = project_report(previous, projection)
        print(json.dumps(projected) if args.json else "\n".join(format_projection(projected)))
        return 0 if "error" not in projected else 1
    try:
        sweep = [int(level) for level in args.sweep.split(",") if level.strip()]
    except ValueError:
        raise SystemExit("--sweep takes customer counts separated by commas, e.g. 1,2,4,8") from None
    if args.customers < 1 or any(level < 1 for level in sweep):
        raise SystemExit("customer counts must be at least 1")
    options = BenchOptions(
        customers=args.customers,
        turns=None if args.duration else args.turns,
        duration_s=args.duration,
        warmup=args.warmup,
        sweep=sweep,
        url=args.url,
        state_dir=args.state_dir,
        reply_timeout_s=args.reply_timeout,
        import_runs=args.import_runs,
        progress=not args.no_progress,
        projection=projection,
    )
    result = asyncio.run(run_bench(options))
    if args.report:
        path = write_report(result, args.report)
        print(f"report written to {path}", file=sys.stderr)
    print(json.dumps(result) if args.json else format_table(result))
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


# --- dead-letter queues -------------------------------------------------------------------------


def _add_dlq_parser(commands: Any) -> None:
    dlq = commands.add_parser("dlq", help="the agents' dead-letter queues: list them, or redrive one")
    actions = dlq.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="per agent: messages, the oldest seen, a sample body")
    listing.add_argument("agents", nargs="*", help="only these agents (default: all)")
    redrive = actions.add_parser("redrive", help="move an agent's dead letters back to its queue (SQS move task)")
    redrive.add_argument("agent")
    redrive.add_argument("--rate", type=int, default=None, help="messages per second (default: as fast as SQS may)")
    redrive.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the task to finish")
    for parser in (listing, redrive):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--endpoint-url", default=None, help="AWS endpoint (default: the embedded stack's moto)")


def _dlq(args: argparse.Namespace) -> int:
    from aicc import ops

    _embedded_defaults(args.endpoint_url)
    try:
        if args.action == "redrive":
            result = ops.dlq_redrive(args.agent, rate=args.rate, timeout_s=args.timeout)
            print(json.dumps(result) if args.json else _format_redrive(result))
            return 0 if result["status"] == "COMPLETED" else 1
        rows = ops.dlq_list(args.agents or None)
    except ValueError as exc:
        print(f"aicc dlq: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'agent':18} {'messages':>8} {'in flight':>9} {'oldest':>9}  sample")
    for row in rows:
        age = "-" if row["oldest_age_s"] is None else f"{row['oldest_age_s']:.0f} s"
        sample = (row["sample"] or "").replace("\n", " ")[:70]
        print(f"{row['agent']:18} {row['messages']:8d} {row['in_flight']:9d} {age:>9}  {sample}")
    return 0


def _format_redrive(result: dict[str, Any]) -> str:
    line = f"{result['agent']}: {result['status']}, {result['moved']} message(s) moved back to its queue"
    return line + (f" ({result['failure_reason']})" if result.get("failure_reason") else "")


# --- chat ---------------------------------------------------------------------------------------


def _chat(args: argparse.Namespace) -> int:
    token = args.token
    if not token:
        from aicc.runtime.auth import issue_token

        token = issue_token(args.user or DEMO_USERS["customer"][0])
    try:
        return asyncio.run(_chat_session(args.url, token, args.conversation, args.timeout))
    except KeyboardInterrupt:
        return 0


def render_frame(frame: dict[str, Any]) -> str:
    from aicc.terminal import printable_frame

    frame = printable_frame(frame)  # what others wrote never drives the terminal (aicc/terminal.py)
    kind = frame.get("type")
    if kind == "reply":
        lines = [f"assistant> {frame['text']}"]
        route = frame.get("route") or {}
        if route.get("kind") == "human":
            lines.append(f"  [handed to {route.get('queue')} queue, priority {route.get('priority')}]")
        if frame.get("degraded"):
            lines.append("  [degraded: some agents did not answer in time]")
        for number, action in enumerate(frame.get("quick_actions", []), start=1):
            lines.append(f"  ({number}) {action['label']}")
        if frame.get("suggestions"):
            lines.append("  try: " + " | ".join(frame["suggestions"]))
        for source in frame.get("sources", []):
            lines.append(f"  source: {source['title']} <{source['uri']}>")
        return "\n".join(lines)
    if kind == "offer":
        lines = [f"offer> {frame['headline']}: {frame['body']}", f"  terms: {frame['terms']}"]
        lines.extend(f"  source: {source['title']} <{source['uri']}>" for source in frame.get("sources", []))
        return "\n".join(lines)
    if kind == "error":
        return f"error [{frame['code']}]: {frame['message']}"
    if kind == "handoff":
        return f"[{frame['status']}] {frame['text']} (conversation {frame['conversation_id']})"
    if kind == "message":
        return f"{frame['sender']} {frame['sender_id']} in {frame['conversation_id']}> {frame['text']}"
    if kind == "queue":
        rows = [f"queue: {len(frame['conversations'])} conversation(s)"]
        for c in frame["conversations"]:
            rows.append(
                f"  {c['conversation_id']}  {c['queue']:18} {c['priority']:7} {c['status']:7} "
                f"customer {c['customer_id']}  {(c.get('last_message') or '')[:60]}"
            )
        return "\n".join(rows)
    return json.dumps(frame)


STAFF_HELP = "staff commands: /queue, /take ID, /reply ID TEXT, /back ID"


def staff_frame(text: str) -> dict[str, Any] | None:
    """Slash commands for dealer and OEM staff; None when the line is an ordinary message."""
    if not text.startswith("/"):
        return None
    command, _, rest = text[1:].partition(" ")
    if command == "queue":
        return {"action": "listQueue"}
    if command == "take" and rest:
        return {"action": "takeConversation", "conversation_id": rest.strip()}
    if command == "back" and rest:
        return {"action": "handBack", "conversation_id": rest.strip()}
    if command == "reply" and " " in rest.strip():
        conversation_id, message = rest.strip().split(" ", 1)
        return {
            "action": "staffReply",
            "conversation_id": conversation_id,
            "text": message,
            "client_message_id": str(uuid.uuid4()),
        }
    return {"action": "help"}


def answers_staff_command(frame: dict[str, Any], command: dict[str, Any] | None) -> bool:
    """Whether `frame` is the answer to the staff command waiting for one. Queue frames are also
    pushed whenever a queue changes, so only the command's own kind of answer ends the wait."""
    if command is None:
        return False
    kind = frame.get("type")
    if command["action"] == "listQueue":
        return kind in ("queue", "error")
    if command["action"] in ("takeConversation", "handBack"):
        return kind == "error" or (kind == "handoff" and frame.get("conversation_id") == command["conversation_id"])
    return kind == "error"


async def _chat_session(url: str, token: str, conversation_id: str | None, timeout: float) -> int:
    import aiohttp

    separator = "&" if "?" in url else "?"
    interactive = sys.stdin.isatty()
    answered: dict[str, asyncio.Event] = {}
    state: dict[str, Any] = {"conversation_id": conversation_id, "actions": []}
    async with aiohttp.ClientSession() as session:
        try:
            ws = await session.ws_connect(f"{url}{separator}token={token}", heartbeat=30)
        except aiohttp.WSServerHandshakeError as exc:
            print(f"connection refused: HTTP {exc.status}", file=sys.stderr)
            return 2
        print(f"connected to {url} — type a message, a quick-action number, or Ctrl-D to quit", file=sys.stderr)

        async def read_frames() -> None:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                frame = json.loads(message.data)
                if frame.get("type") == "ack":
                    continue
                if frame.get("type") == "reply":
                    state["conversation_id"] = frame["conversation_id"]
                    state["actions"] = frame.get("quick_actions", [])
                print(render_frame(frame), flush=True)
                waiter = answered.pop(frame.get("client_message_id") or "", None)
                if waiter is None and answers_staff_command(frame, state.get("staff_command")):
                    waiter = answered.pop("staff", None)
                if waiter is not None:
                    waiter.set()

        reader = asyncio.create_task(read_frames())
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print("you> ", end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            frame = staff_frame(text)
            if frame is not None and frame["action"] == "help":
                print(STAFF_HELP, file=sys.stderr)
                continue
            key = frame.get("client_message_id", "staff") if frame is not None else "staff"
            state["staff_command"] = frame
            if frame is None:
                actions = state["actions"]
                if text.isdigit() and 1 <= int(text) <= len(actions):
                    text = actions[int(text) - 1]["action"]
                frame = {"action": "sendMessage", "text": text, "client_message_id": str(uuid.uuid4())}
                if state["conversation_id"]:
                    frame["conversation_id"] = state["conversation_id"]
                key = frame["client_message_id"]
            answered[key] = asyncio.Event()
            await ws.send_str(json.dumps(frame))
            try:
                await asyncio.wait_for(answered[key].wait(), timeout)
            except TimeoutError:
                answered.pop(key, None)
                print(f"(no answer within {timeout:.0f} s)", file=sys.stderr)
        await ws.close()
        reader.cancel()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
