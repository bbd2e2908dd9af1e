"""DynamoDB helpers shared by handlers and tools."""

from __future__ import annotations

from typing import Any

from aicc.runtime.clients import client

BATCH_WRITE_MAX = 25
UNPROCESSED_RETRIES = 8


def put_all(table: str, items: list[dict[str, Any]]) -> None:
    """Put every item with BatchWriteItem (25 a call), retrying what DynamoDB hands back unprocessed."""
    dynamodb = client("dynamodb")
    for start in range(0, len(items), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + BATCH_WRITE_MAX]]}
        for _ in range(UNPROCESSED_RETRIES):
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        else:
            raise RuntimeError(f"could not write all items to {table}")
