"""Servicing turns on the DynamoDB adapters (moto): the items the handler's wiring writes and reads.

The behaviour itself is covered on in-memory adapters in tests/unit/test_servicing.py; these check
the stored layout the rest of the system relies on (the ingress reads META's `flow`; the
by_customer index sorts on the UTC start) and a few whole flows end to end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.flows import DynamoFlows
from aicc.agents.servicing import book_action, cancel_action
from aicc.runtime import clients
from aicc.runtime.tables import TABLES, create_table_kwargs, table_name
from tests.servicing_chat import CUSTOMERS, Chat, World


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    """Every table on moto, with the test customers; emptied afterwards.

    While the contract suites' session-wide moto is active, this mock nests in it and the tables
    already exist: they are created only when missing, and emptied so the next test starts clean.
    """
    with mock_aws():
        clients.reset()
        db: Any = boto3.client("dynamodb", region_name="us-east-1")
        existing = set(db.list_tables()["TableNames"])
        for spec in TABLES.values():
            if table_name(spec.name) not in existing:
                db.create_table(**create_table_kwargs(spec, "aicc-"))
        for customer in CUSTOMERS:
            db.put_item(
                TableName="aicc-customers",
                Item={"customer_id": {"S": customer["customer_id"]}, "doc": {"S": json.dumps(customer)}},
            )
        yield db
        for spec in TABLES.values():
            keys = {f"#k{n}": key for n, key in enumerate(filter(None, (spec.hash_key, spec.range_key)))}
            pages = db.get_paginator("scan").paginate(
                TableName=table_name(spec.name), ProjectionExpression=", ".join(keys), ExpressionAttributeNames=keys
            )
            for page in pages:
                for found in page.get("Items", []):
                    db.delete_item(TableName=table_name(spec.name), Key=found)
        clients.reset()


@pytest.fixture
def world(dynamodb: Any) -> World:
    def open_conversation(conversation_id: str, owner: str) -> None:
        dynamodb.put_item(
            TableName="aicc-conversations",
            Item={"conversation_id": {"S": conversation_id}, "sk": {"S": "META"}, "customer_id": {"S": owner}},
        )

    return World(
        appointments=DynamoAppointments(),
        flows=DynamoFlows(),
        customers=DynamoDBCustomers(),
        open_conversation=open_conversation,
    )


def item(db: Any, table: str, **key: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = db.get_item(
        TableName=f"aicc-{table}", Key={name: {"S": value} for name, value in key.items()}
    ).get("Item")
    return found


def test_booking_over_three_turns_stores_the_appointment_and_the_flow(dynamodb: Any, world: World) -> None:
    chat = Chat(world, "cust-north")
    chat.say("I need an oil change", "service_booking")
    meta = item(dynamodb, "conversations", conversation_id=chat.conversation_id, sk="META")
    assert meta is not None and meta["flow"] == {"S": "servicing"}  # what the ingress stamps into the next turn
    second = chat.say("at Harbor City on Friday morning")
    third = chat.say("the second one")
    assert third.action == "booked" and third.appointment is not None

    held = item(dynamodb, "appointments", slot_id=second.slots[1].slot_id)
    assert held is not None
    assert held["customer_id"]["S"] == "cust-north"
    assert held["conversation_id"]["S"] == chat.conversation_id
    assert held["appointment_id"]["S"] == third.appointment.appointment_id
    assert held["start"]["S"] == "2026-06-12T16:00:00Z"  # the by_customer index sorts on UTC
    assert held["start_local"]["S"] == "2026-06-12T09:00:00-07:00"
    meta = item(dynamodb, "conversations", conversation_id=chat.conversation_id, sk="META")
    assert meta is not None and "flow" not in meta
    flow = item(dynamodb, "conversations", conversation_id=chat.conversation_id, sk="FLOW#servicing")
    assert flow is not None and flow["flow_status"]["S"] == "booked"
    assert json.loads(flow["state"]["S"])["last_appointment"]["appointment_id"] == third.appointment.appointment_id


def test_a_taken_slot_is_refused(dynamodb: Any, world: World) -> None:
    slot_id = "service#dlr-harbor#2026-06-12T09:00#1"
    assert Chat(world, "cust-harbor").say(book_action(slot_id), "service_booking").action == "booked"
    refused = Chat(world, "cust-north").say(book_action(slot_id), "service_booking")
    assert refused.action == "unavailable"
    assert refused.slots[0].slot_id == "service#dlr-harbor#2026-06-12T09:00#2"
    assert item(dynamodb, "appointments", slot_id=slot_id)["customer_id"]["S"] == "cust-harbor"  # type: ignore[index]


def test_reschedule_then_cancel(dynamodb: Any, world: World) -> None:
    chat = Chat(world, "cust-north")
    chat.say("I need an oil change", "service_booking")
    original = chat.say("the first one").appointment
    assert original is not None
    moving = Chat(world, "cust-north")
    offered = moving.say("Can you move my appointment to Friday afternoon?", "service_booking")
    moved = moving.say("the first one")
    assert moved.action == "rescheduled" and moved.appointment is not None
    assert item(dynamodb, "appointments", slot_id=original.slot.slot_id) is None
    cancelled = moving.say(cancel_action(offered.slots[0].slot_id), "service_booking")
    assert cancelled.action == "cancelled"
    items = dynamodb.scan(TableName="aicc-appointments")["Items"]
    assert [i for i in items if not i["slot_id"]["S"].startswith("holder#")] == []  # the limit's holder item stays


def test_no_meta_item_is_ever_created(dynamodb: Any, world: World) -> None:
    world.open_conversation = lambda conversation_id, owner: None
    chat = Chat(world, "cust-north")
    assert chat.say("I need an oil change", "service_booking").action == "slots_offered"
    items = dynamodb.query(
        TableName="aicc-conversations",
        KeyConditionExpression="conversation_id = :c",
        ExpressionAttributeValues={":c": {"S": chat.conversation_id}},
    )["Items"]
    assert [i["sk"]["S"] for i in items] == ["FLOW#servicing"]


def test_the_booking_cap_holds_on_dynamodb(world: World) -> None:
    """Issue 14, defect 7: a fifth crafted "Book slot" is refused and names the four held."""
    from aicc.agents.booking_limits import SERVICE_PER_CUSTOMER

    chat = Chat(world, "cust-harbor")
    slots = [f"service#dlr-harbor#2026-06-12T{hour:02d}:00#1" for hour in range(9, 10 + SERVICE_PER_CUSTOMER)]
    for slot_id in slots[:-1]:
        assert chat.say(book_action(slot_id), "service_booking").action == "booked"
    refused = chat.say(book_action(slots[-1]), "service_booking")
    assert refused.action == "needs_info" and [s.slot_id for s in refused.slots] == slots[:-1]
    assert world.held(slots[-1]) is None
