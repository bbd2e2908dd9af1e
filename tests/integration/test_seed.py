"""Seeding the reference data on moto: customers through the Customers port, the corpus into S3 once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.knowledge import load_corpus
from aicc.runtime.tables import TABLES, create_table_kwargs
from aicc.seed import demo_customers, knowledge_objects, seed_reference_data

CORPUS = {p.doc_id: p for p in load_corpus()}
PREFIX = "aicc-seed-test-"
BUCKET = "aicc-seed-test-knowledge"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A customers table and a knowledge bucket on moto, under names of their own and removed afterwards:
    moto's state is shared with any other mock_aws active in the session (a suite's provisioned tables)."""
    monkeypatch.setenv("AICC_TABLE_PREFIX", PREFIX)
    monkeypatch.setenv("AICC_KNOWLEDGE_BUCKET", BUCKET)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(**create_table_kwargs(TABLES["customers"], PREFIX))
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield s3
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for found in page.get("Contents", []):
                s3.delete_object(Bucket=BUCKET, Key=found["Key"])
        s3.delete_bucket(Bucket=BUCKET)
        dynamodb.delete_table(TableName=f"{PREFIX}customers")


def test_seed_uploads_the_corpus_once_per_passage_and_is_idempotent(s3: Any) -> None:
    first = seed_reference_data()
    second = seed_reference_data()
    assert first["customers"] == second["customers"] == len(demo_customers()) == 22
    assert DynamoDBCustomers().get("cust-0001") == next(c for c in demo_customers() if c["customer_id"] == "cust-0001")
    assert first["knowledge_passages"] == len(CORPUS)
    assert first["knowledge_objects_written"] == 2 * len(CORPUS)
    assert second["knowledge_objects_written"] == 0
    keys = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
            for o in page.get("Contents", [])}  # fmt: skip
    assert keys == set(knowledge_objects())
    assert len(keys) == 2 * len(CORPUS)
    meta = json.loads(s3.get_object(Bucket=BUCKET, Key="recall-R-2023-014.json.metadata.json")["Body"].read())
    assert meta == CORPUS["recall-R-2023-014"].kendra_metadata()
    body = json.loads(s3.get_object(Bucket=BUCKET, Key="recall-R-2023-014.json")["Body"].read())
    assert body["doc_id"] == "recall-R-2023-014" and "R-2023-014" in body["text"]


def test_seed_stores_the_demo_customers_through_the_given_port() -> None:
    customers = MemoryCustomers()
    assert seed_reference_data(customers) == {"customers": len(demo_customers())}
    assert customers.get("cust-0001") == next(c for c in demo_customers() if c["customer_id"] == "cust-0001")
