"""50 customers press "book" on the same slot at the same moment: exactly one gets it."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.agents.servicing import book_action
from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.dynamodb import ATOMIC_WRITES
from aicc.runtime import clients
from aicc.runtime.tables import TABLES, create_table_kwargs
from contracts.events import EventMeta, IntentDetected, ServiceActionTaken
from handlers.servicing import agent

NOW = datetime(2026, 6, 8, 15, 0, tzinfo=UTC)  # Monday 08:00 in Los Angeles
SLOT_ID = "service#dlr-harbor#2026-06-12T09:00#1"
CUSTOMERS = 50


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # In-process moto applies a conditional write as check-then-set without a lock; DynamoDB is atomic.
    monkeypatch.setenv("AICC_MAX_POOL_CONNECTIONS", str(CUSTOMERS))
    with PATCHES.applied(ATOMIC_WRITES.name), mock_aws():  # the registry restores moto when the test ends
        clients.reset()
        db: Any = boto3.client("dynamodb", region_name="us-east-1")
        existing = set(db.list_tables()["TableNames"])  # the folder's provisioned moto may be active
        for spec in TABLES.values():
            if f"aicc-{spec.name}" not in existing:
                db.create_table(**create_table_kwargs(spec, "aicc-"))
        for n in range(CUSTOMERS):
            customer = {"customer_id": f"cust-race-{n}", "name": f"Racer {n}", "preferred_dealer": "dlr-harbor"}
            db.put_item(
                TableName="aicc-customers",
                Item={"customer_id": {"S": customer["customer_id"]}, "doc": {"S": json.dumps(customer)}},
            )
            db.put_item(
                TableName="aicc-conversations",
                Item={"conversation_id": {"S": f"conv-race-{n}"}, "sk": {"S": "META"}, "customer_id": customer_id(n)},
            )
        yield db
        clients.reset()


def customer_id(n: int) -> dict[str, str]:
    return {"S": f"cust-race-{n}"}


def book(n: int, start: threading.Barrier) -> ServiceActionTaken:
    meta = EventMeta(
        turn_id=uuid.uuid4().hex,
        conversation_id=f"conv-race-{n}",
        customer_id=f"cust-race-{n}",
        causation_id=uuid.uuid4().hex,
        producer="servicing",
        occurred_at=NOW,
    )
    intent = IntentDetected(
        meta=meta.model_copy(update={"producer": "intent"}),
        text=book_action(SLOT_ID),
        intent="service_booking",
        confidence=0.9,
        model="test",
    )
    start.wait()
    return agent.handle(intent, meta, now=NOW)  # the handler's own wiring: DynamoDB adapters


def test_fifty_concurrent_bookings_of_one_slot_give_exactly_one_appointment(dynamodb: Any) -> None:
    start = threading.Barrier(CUSTOMERS)
    with ThreadPoolExecutor(max_workers=CUSTOMERS) as pool:
        results = list(pool.map(lambda n: book(n, start), range(CUSTOMERS)))

    booked = [r for r in results if r.action == "booked"]
    refused = [r for r in results if r.action == "unavailable"]
    assert len(booked) == 1
    assert len(refused) == CUSTOMERS - 1
    assert all(SLOT_ID not in [s.slot_id for s in r.slots] for r in refused)  # told it's gone, offered others

    winner = booked[0]
    assert winner.appointment is not None and winner.appointment.slot.slot_id == SLOT_ID
    item = dynamodb.get_item(TableName="aicc-appointments", Key={"slot_id": {"S": SLOT_ID}})["Item"]
    assert item["customer_id"]["S"] == winner.meta.customer_id
    assert item["appointment_id"]["S"] == winner.appointment.appointment_id
    held = dynamodb.scan(TableName="aicc-appointments")["Items"]
    assert [i["slot_id"]["S"] for i in held if not i["slot_id"]["S"].startswith("holder#")] == [SLOT_ID]
