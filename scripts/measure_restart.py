"""Restart time of the embedded stack's durable DynamoDB with a realistic amount of data.

Writes N conversations the way the stack does (through the adapters: a META item and 3 turns each,
with replies and dialog state, a held slot for one in four, and per turn the idempotency records of
ten agents and a turn-state item), then measures the DynamoDB child's start:

- after a clean stop (a snapshot, empty journal: the usual `aicc up` after Ctrl-C);
- after SIGKILL with everything still in the journal (the worst case: compaction never ran).

Run: PYTHONPATH=$PWD .venv/bin/python scripts/measure_restart.py [--conversations 2000]
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=2000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="aicc-restart-")) / "dynamodb"

    from aicc.embedded.moto.journal import DEFAULT_COMPACT_EVERY
    from aicc.embedded.moto.process import MotoServerProcess

    # Worst case first: nothing compacted while loading, so the kill leaves a full journal.
    os.environ["AICC_JOURNAL_COMPACT_EVERY"] = str(10**9)
    child = MotoServerProcess(0, journal=directory)
    child.start()
    writes = _load(child.url, args.conversations)
    journal_mb = (directory / "journal.jsonl").stat().st_size / 1e6
    os.kill(child.pid or 0, signal.SIGKILL)
    child.stop()
    replay_s = _timed_start(child)
    snapshot_mb = (directory / "snapshot.json").stat().st_size / 1e6
    child.stop()  # clean: snapshot written, journal empty
    snapshot_s = _timed_start(child)
    child.stop()
    print(
        f"{args.conversations} conversations, {writes} writes: "
        f"journal {journal_mb:.1f} MB, snapshot {snapshot_mb:.1f} MB\n"
        f"start after SIGKILL, all {writes} writes replayed from the journal (then compacted): {replay_s:.1f} s "
        f"({replay_s / writes * 1000:.2f} ms a write)\n"
        f"start after a clean stop (snapshot only): {snapshot_s:.1f} s\n"
        f"(running, the journal is compacted every {DEFAULT_COMPACT_EVERY} writes: a kill replays at most that many)"
    )


def _timed_start(child: object) -> float:
    from aicc.embedded.moto.process import MotoServerProcess

    assert isinstance(child, MotoServerProcess)
    started = time.perf_counter()
    child.start(timeout_s=600)
    return time.perf_counter() - started


def _load(url: str, conversations: int) -> int:
    import boto3

    from aicc.adapters.dynamodb.appointments import DynamoAppointments
    from aicc.adapters.dynamodb.conversations import DynamoDBConversations
    from aicc.ports.appointments import Booking
    from aicc.ports.conversations import NewTurn
    from aicc.runtime.tables import TABLES, create_table_kwargs
    from contracts.events import Appointment, Slot

    for name, value in {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AICC_TABLE_PREFIX": "aicc-",
    }.items():
        os.environ[name] = value
    dynamodb = boto3.client("dynamodb")
    for spec in TABLES.values():
        dynamodb.create_table(**create_table_kwargs(spec, "aicc-"))
    conversations_port, appointments = DynamoDBConversations(), DynamoAppointments()
    writes = len(TABLES)
    start = datetime(2026, 6, 8, 15, tzinfo=UTC)
    for number in range(conversations):
        conversation, customer = f"conv-{number:05d}", f"cust-{number % 500:04d}"
        for turn_number in range(3):
            turn_id = str(uuid.uuid4())
            at = start + timedelta(minutes=number, seconds=turn_number * 20)
            text = "I need to book an oil change for my Aster at Harbor City on Friday morning"
            conversations_port.start_turn(
                NewTurn(conversation, turn_id, customer, "customer", uuid.uuid4().hex, text, at), opens=turn_number == 0
            )
            conversations_port.record_reply(
                conversation,
                turn_id,
                reply="Here are free service appointment slots: " + "x" * 300,
                intent="book_service",
                degraded=False,
            )
            conversations_port.save_dialog(conversation, {"vehicle_vin": "5ARAX1E23MH000126", "said": ["greeting"] * 5})
            requests = [
                {
                    "PutRequest": {
                        "Item": {
                            "id": {"S": f"{agent}#{turn_id}"},
                            "status": {"S": "COMPLETED"},
                            "data": {"S": "y" * 400},
                            "expiration": {"N": "1900000000"},
                        }
                    }
                }
                for agent in range(10)
            ]
            dynamodb.batch_write_item(RequestItems={"aicc-idempotency": requests})
            dynamodb.put_item(
                TableName="aicc-turns",
                Item={
                    "turn_id": {"S": turn_id},
                    "scope": {"S": "aggregator"},
                    "results": {"S": "z" * 3000},
                    "expires_at": {"N": "1900000000"},
                },
            )
            writes += 5
        if number % 4 == 0:
            slot = Slot(slot_id=f"dlr-north#{number}", dealer_id="dlr-north", start=start + timedelta(hours=number))
            appointment = Appointment(
                appointment_id=f"apt-{number}", kind="service", slot=slot, service_type="oil change", status="booked"
            )
            appointments.hold(Booking(appointment, customer, conversation, "t", start))
            writes += 1
    return writes


if __name__ == "__main__":
    main()
