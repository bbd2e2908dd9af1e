"""DynamoDB requests that take more than one call: BatchWriteItem in chunks with retries of what
comes back unprocessed, and Query over every page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aicc.runtime.clients import client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


BATCH_WRITE_MAX = 25
UNPROCESSED_RETRIES = 8


def put_all(table: str, items: Sequence[dict[str, Any]], *, dynamodb: DynamoDBClient | None = None) -> None:
    """Put every item with BatchWriteItem (25 a call), retrying what DynamoDB hands back unprocessed.

    A batch may not hold two items with the same key: callers pass distinct keys."""
    dynamodb = dynamodb or client("dynamodb")
    for start in range(0, len(items), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + BATCH_WRITE_MAX]]}
        for _ in range(UNPROCESSED_RETRIES):
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        else:
            raise RuntimeError(f"could not write all items to {table}")


def query_all(dynamodb: DynamoDBClient, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item a Query matches, following `LastEvaluatedKey` across pages."""
    items: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs = {**kwargs, "ExclusiveStartKey": page["LastEvaluatedKey"]}
