"""Message -> ack and message -> reply latency through a running embedded stack (or any URL).

Sequential turns from a few demo customers over real WebSockets; prints percentiles.
Run: .venv/bin/aicc up &  then  .venv/bin/python scripts/measure_latency.py [--turns 100] [--url ...]
(`aicc bench` will supersede this with load, cost and a report.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import time
import uuid

import aiohttp

from aicc.runtime.auth import issue_token

MESSAGES = [
    "How do I pair my phone with Bluetooth?",
    "What does the tire pressure light mean?",
    "Is there a recall on my car?",
    "How often should I change the oil?",
    "I want to book a service appointment next Tuesday",
    "hello",
    "what does my warranty cover?",
    "How far can the Cirrus go on one charge?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def run(url: str, turns: int, warmup: int, users: int) -> dict[str, object]:
    acks: list[float] = []
    replies: list[float] = []
    degraded = 0
    async with aiohttp.ClientSession() as session:
        sockets = []
        for n in range(users):
            token = issue_token(f"cust-{n + 1:04d}")
            sockets.append(await session.ws_connect(f"{url}?token={token}"))
        for i in range(turns + warmup):
            ws = sockets[i % users]
            cmid = str(uuid.uuid4())
            started = time.perf_counter()
            await ws.send_str(
                json.dumps({"action": "sendMessage", "text": MESSAGES[i % len(MESSAGES)], "client_message_id": cmid})
            )
            ack_at = None
            while True:
                frame = json.loads((await ws.receive(timeout=30)).data)
                if frame.get("client_message_id") != cmid:
                    continue
                if frame["type"] == "ack":
                    ack_at = time.perf_counter()
                elif frame["type"] in ("reply", "error"):
                    done = time.perf_counter()
                    break
            if i >= warmup:
                acks.append(((ack_at or done) - started) * 1000)
                replies.append((done - started) * 1000)
                degraded += bool(frame.get("degraded"))
        for ws in sockets:
            await ws.close()
    return {
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
        "turns": turns,
        "ack_p50_ms": round(statistics.median(acks), 1),
        "reply_p50_ms": round(statistics.median(replies), 1),
        "reply_p95_ms": round(percentile(replies, 95), 1),
        "reply_p99_ms": round(percentile(replies, 99), 1),
        "reply_max_ms": round(max(replies), 1),
        "degraded": degraded,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="ws://127.0.0.1:8080/ws")
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--users", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.turns, args.warmup, args.users)), indent=2))


if __name__ == "__main__":
    main()
