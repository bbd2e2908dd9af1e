"""Load the reference data shipped in the repo into the tables (embedded default or AWS alike).

Idempotent: items are keyed, so re-running overwrites with the same content.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

BATCH_WRITE_MAX = 25


def demo_customers() -> list[dict[str, Any]]:
    return json.loads(resources.files("aicc.data").joinpath("customers.json").read_text())


def customer_item(customer: dict[str, Any]) -> dict[str, Any]:
    # The profile is read whole by key, so it is stored as one JSON document beside the key.
    return {
        "customer_id": {"S": customer["customer_id"]},
        "email": {"S": customer["email"]},
        "doc": {"S": json.dumps(customer, separators=(",", ":"))},
    }


def _batch_write(table: str, items: list[dict[str, Any]]) -> None:
    dynamodb = client("dynamodb")
    for start in range(0, len(items), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + BATCH_WRITE_MAX]]}
        for _ in range(8):
            unprocessed = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not unprocessed:
                break
            pending = unprocessed
        else:
            raise RuntimeError(f"could not write all items to {table}")


def seed_reference_data() -> dict[str, int]:
    customers = demo_customers()
    _batch_write(table_name("customers"), [customer_item(c) for c in customers])
    return {"customers": len(customers)}
