"""What one AWS call costs on the embedded stand-in, in CPU: botocore in the caller, moto in its server.

Starts the stand-in's moto server on a free port, provisions the manifest's bus, rules, queues and
tables, then times the call shapes a turn is made of (the aggregator's join write, a result's
PutEvents fanning out to its rules' queues, ...). CPU is read from /proc for the server and from
`time.process_time` for the caller, so the figures do not depend on what else the machine runs as
much as wall time would. Multiply by the calls per turn `aicc bench` counts to get the floor of a
turn's CPU before any agent logic.

Run: .venv/bin/python scripts/measure_call_costs.py [--calls 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

from aicc.embedded.moto.process import MotoServerProcess
from aicc.embedded.provision import provision
from aicc.runtime.clients import client
from contracts.manifest import manifest

# A result detail of a typical size (a few hundred bytes, as IntentDetected and SentimentAnalyzed are).
DETAIL = {
    "meta": {"turn_id": "t", "event_id": "e", "conversation_id": "c", "producer": "intent"},
    "intent": "recall_check",
    "confidence": 0.93,
    "entities": {"model": "Aurora", "year": "2024"},
    "text": "is there a recall on my car? " * 10,
}


# Calls timed between two emptyings of the queues (a turn leaves a handful of messages in each).
CHUNK = 10


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _join_write(dynamodb: Any, results: int) -> Callable[[], Any]:
    """The aggregator's join: `results` results recorded in one UpdateItem that returns the old item."""
    turn_id = str(uuid.uuid4())
    names = {f"#r{i}": f"r:Result{i}" for i in range(results)}
    values: dict[str, Any] = {f":r{i}": {"S": json.dumps(DETAIL)} for i in range(results)}
    values[":ttl"] = {"N": str(int(time.time()) + 3600)}
    actions = [f"#r{i} = if_not_exists(#r{i}, :r{i})" for i in range(results)]
    expression = "SET " + ", ".join(actions) + ", expires_at = :ttl"
    return lambda: dynamodb.update_item(
        TableName="aicc-turns",
        Key={"turn_id": {"S": turn_id}, "scope": {"S": "aggregator"}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_OLD",
    )


def _event(detail_type: str, source: str) -> dict[str, str]:
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(DETAIL), "EventBusName": "aicc"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="timed calls per shape (after 20 untimed)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    server = MotoServerProcess(port=0)
    url = server.start()
    try:
        # The handlers' own clients (standard retries, shared configuration), pointed at this server.
        events, sqs, dynamodb = (client(service, endpoint_url=url) for service in ("events", "sqs", "dynamodb"))
        queues = provision(manifest(), events=events, sqs=sqs, dynamodb=dynamodb).queue_urls
        shapes: dict[str, Callable[[], Any]] = {
            "DynamoDB GetItem (turn state)": lambda: dynamodb.get_item(
                TableName="aicc-turns",
                Key={"turn_id": {"S": "absent"}, "scope": {"S": "aggregator"}},
                ConsistentRead=True,
            ),
            "DynamoDB PutItem (small item)": lambda: dynamodb.put_item(
                TableName="aicc-turns", Item={"turn_id": {"S": str(uuid.uuid4())}, "scope": {"S": "s"}}
            ),
            "DynamoDB UpdateItem join, 1 result": _join_write(dynamodb, 1),
            "DynamoDB UpdateItem join, 3 results": _join_write(dynamodb, 3),
            "EventBridge PutEvents IntentDetected (4 rules match)": lambda: events.put_events(
                Entries=[_event("IntentDetected", "aicc.intent")]
            ),
            "EventBridge PutEvents AnalyticsRecorded (archive only)": lambda: events.put_events(
                Entries=[_event("AnalyticsRecorded", "aicc.analytics")]
            ),
            # The deadline's request, undelayed so that emptying the queue between chunks can take it.
            "SQS SendMessageBatch (a turn deadline)": lambda: sqs.send_message_batch(
                QueueUrl=queues["aggregator"], Entries=[{"Id": "0", "MessageBody": json.dumps(DETAIL)}]
            ),
        }
        pid = server.pid
        assert pid is not None

        def empty_queues() -> None:
            # Rules fill the queues; nobody consumes here. moto's SendMessage walks a queue's messages,
            # so let them pile up and the figures would measure the pile, not the call.
            for queue_url in queues.values():
                while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
                    entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
                    sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)

        rows = []
        for name, call in shapes.items():
            empty_queues()
            for _ in range(20):
                call()
            server_s = caller_s = 0.0
            for chunk in range(0, args.calls, CHUNK):
                empty_queues()
                server_before, caller_before = _cpu_seconds(pid), time.process_time()
                for _ in range(min(CHUNK, args.calls - chunk)):
                    call()
                server_s += _cpu_seconds(pid) - server_before
                caller_s += time.process_time() - caller_before
            rows.append(
                {
                    "call": name,
                    "caller_ms": round(caller_s * 1000 / args.calls, 2),
                    "moto_ms": round(server_s * 1000 / args.calls, 2),
                }
            )
    finally:
        server.stop()
    if args.json:
        print(json.dumps({"calls_per_shape": args.calls, "shapes": rows}, indent=2))
        return
    print(f"{'call':<56} {'botocore':>9} {'moto':>7}  (CPU ms per call)")
    for row in rows:
        print(f"{row['call']:<56} {row['caller_ms']:>9.2f} {row['moto_ms']:>7.2f}")


if __name__ == "__main__":
    main()
