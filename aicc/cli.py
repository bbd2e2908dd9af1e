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

    evaluate = commands.add_parser("eval", help="score the NLU on a JSONL file of {text, intent, sentiment}")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--json", action="store_true", help="one JSON object instead of tables")

    seed = commands.add_parser("seed", help="load the reference data into the tables (uses AWS_ENDPOINT_URL)")
    seed.add_argument("--table-prefix", default=None)

    args = parser.parse_args(argv)
    handlers = {"up": _up, "chat": _chat, "token": _token, "nlu": _nlu, "eval": _eval, "seed": _seed}
    return handlers[args.command](args)


def _up(args: argparse.Namespace) -> int:
    from aicc.embedded.stack import run_stack

    run_stack(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        dynamodb_port=args.dynamodb_port,
        state_dir=args.state_dir,
    )
    return 0


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


def _seed(args: argparse.Namespace) -> int:
    import os

    from aicc.seed import seed_reference_data

    if args.table_prefix:
        os.environ["AICC_TABLE_PREFIX"] = args.table_prefix
    print(json.dumps(seed_reference_data()))
    return 0


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


def render_reply(frame: dict[str, Any]) -> str:
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


async def _chat_session(url: str, token: str, conversation_id: str | None, timeout: float) -> int:
    import aiohttp

    separator = "&" if "?" in url else "?"
    interactive = sys.stdin.isatty()
    async with aiohttp.ClientSession() as session:
        try:
            ws = await session.ws_connect(f"{url}{separator}token={token}", heartbeat=30)
        except aiohttp.WSServerHandshakeError as exc:
            print(f"connection refused: HTTP {exc.status}", file=sys.stderr)
            return 2
        print(f"connected to {url} — type a message, a quick-action number, or Ctrl-D to quit", file=sys.stderr)
        actions: list[dict[str, str]] = []
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
            if text.isdigit() and 1 <= int(text) <= len(actions):
                text = actions[int(text) - 1]["action"]
            frame: dict[str, Any] = {"action": "sendMessage", "text": text, "client_message_id": str(uuid.uuid4())}
            if conversation_id:
                frame["conversation_id"] = conversation_id
            await ws.send_str(json.dumps(frame))
            reply = await _await_reply(ws, frame["client_message_id"], timeout)
            if reply is None:
                print(f"(no reply within {timeout:.0f} s)", file=sys.stderr)
                continue
            if reply["type"] == "error":
                print(f"error [{reply['code']}]: {reply['message']}")
                continue
            conversation_id = reply["conversation_id"]
            actions = reply.get("quick_actions", [])
            print(render_reply(reply), flush=True)
        await ws.close()
    return 0


async def _await_reply(ws: Any, client_message_id: str, timeout: float) -> dict[str, Any] | None:
    import aiohttp

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while (remaining := end - loop.time()) > 0:
        try:
            message = await ws.receive(timeout=remaining)
        except TimeoutError:
            return None
        if message.type != aiohttp.WSMsgType.TEXT:
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise ConnectionError("the server closed the connection")
            continue
        frame = json.loads(message.data)
        if frame.get("client_message_id") != client_message_id:
            continue
        if frame["type"] in ("reply", "error"):
            return frame
    return None


if __name__ == "__main__":
    raise SystemExit(main())
