"""DynamoDB table definitions, written once.

The embedded stack and the test fixtures create tables from these specs; Terraform's tables are
checked against them by a test. Names are `<prefix><name>`, the prefix from `AICC_TABLE_PREFIX`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import CreateTableInputTypeDef, KeySchemaElementTypeDef

# DynamoDB scalar types a key attribute may have.
KeyType = Literal["S", "N", "B"]


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    hash_key: str
    range_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[Index, ...] = field(default=())
    # attribute name -> DynamoDB scalar type, for every key attribute (table and indexes)
    key_types: dict[str, KeyType] = field(default_factory=dict)

    def key_attributes(self) -> dict[str, KeyType]:
        names = {self.hash_key, *(k for k in [self.range_key] if k)}
        for index in self.indexes:
            names.add(index.hash_key)
            if index.range_key:
                names.add(index.range_key)
        return {name: self.key_types.get(name, "S") for name in sorted(names)}


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        # One item per open WebSocket connection; TTL reaps records whose $disconnect was lost.
        # Staff connections also carry `staff_scope` ("oem_staff" or "dealer#<id>"): a sparse index
        # that finds whom a queue change goes to without a scan.
        TableSpec(
            "connections",
            hash_key="connection_id",
            ttl_attribute="expires_at",
            indexes=(Index("by_user", "user_id"), Index("by_staff", "staff_scope")),
        ),
        # pk conversation_id; sk "META" (owner, flow, handoff), "TURN#<turn_id>" (message + reply),
        # "MSG#<message id>" (a staff or relayed message) or "FLOW#<flow>" (a multi-turn flow's state).
        # Handed-off conversations carry `handoff_queue`/`handoff_since` on META: a sparse index
        # that is exactly the staff queue.
        TableSpec(
            "conversations",
            hash_key="conversation_id",
            range_key="sk",
            indexes=(
                Index("by_customer", "customer_id", "updated_at"),
                Index("by_handoff", "handoff_queue", "handoff_since"),
            ),
        ),
        TableSpec("customers", hash_key="customer_id"),
        # Per-turn join state: sk "aggregator" for the reply, "routing" for intent + sentiment.
        TableSpec("turns", hash_key="turn_id", range_key="scope", ttl_attribute="expires_at"),
        # One item per bookable slot that is held: a conditional put is the whole double-booking guard.
        TableSpec(
            "appointments",
            hash_key="slot_id",
            indexes=(Index("by_customer", "customer_id", "start"),),
        ),
        # Offers made, per customer: never the same offer twice, never on a replayed event.
        TableSpec("offers", hash_key="customer_id", range_key="offer_id"),
        # pk "turn#<id>" (sk "summary" or "event#<time>#<id>") and "day#<date>" (sk "totals").
        TableSpec("analytics", hash_key="pk", range_key="sk", ttl_attribute="expires_at"),
        # Replies of replayed turns, for `aicc replay diff`: pk "replay#<name>", sk "turn#<original turn id>".
        TableSpec("replays", hash_key="pk", range_key="sk", ttl_attribute="expires_at"),
        # powertools Idempotency's default layout.
        TableSpec("idempotency", hash_key="id", ttl_attribute="expiration"),
    )
}


def table_name(name: str) -> str:
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}")
    return os.environ.get("AICC_TABLE_PREFIX", "aicc-") + name


def create_table_kwargs(spec: TableSpec, prefix: str) -> CreateTableInputTypeDef:
    """Arguments for DynamoDB CreateTable (on-demand billing, like Terraform's tables)."""

    def key_schema(hash_key: str, range_key: str | None) -> list[KeySchemaElementTypeDef]:
        schema: list[KeySchemaElementTypeDef] = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        return schema

    kwargs: CreateTableInputTypeDef = {
        "TableName": prefix + spec.name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": key_schema(spec.hash_key, spec.range_key),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in spec.key_attributes().items()
        ],
    }
    if spec.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": key_schema(index.hash_key, index.range_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
    return kwargs
