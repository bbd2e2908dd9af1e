"""The part every adapter over one table shares: which client and which table it talks to."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from aicc.runtime.clients import client, warm
from aicc.runtime.tables import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class SharedDynamoDB:
    """An adapter over the shared DynamoDB client: constructing it creates that client, so a handler
    that builds its adapters at import has it from the init phase on (aicc.runtime.clients)."""

    def __init__(self) -> None:
        warm("dynamodb")


class TableAdapter(SharedDynamoDB):
    """A client and table may be given by tools that talk to a stack other than the one in their
    environment; otherwise both are resolved per call (the shared client, the prefixed table)."""

    TABLE: ClassVar[str]

    def __init__(
        self, dynamodb: DynamoDBClient | None = None, table: str | None = None, *, now: Callable[[], float] = time.time
    ):
        if dynamodb is None:
            super().__init__()
        self._dynamodb = dynamodb
        self._table = table
        self._now = now

    def _client(self) -> DynamoDBClient:
        return self._dynamodb or client("dynamodb")

    def _table_name(self) -> str:
        return self._table or table_name(self.TABLE)
