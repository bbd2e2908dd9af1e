"""Seeding the reference data on moto: customers through the Customers port, the corpus into S3 once."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from aicc.adapters.memory.customers import MemoryCustomers
from aicc.knowledge import load_corpus
from aicc.seed import demo_customers, knowledge_objects, seed_reference_data

CORPUS = {p.doc_id: p for p in load_corpus()}


def test_seed_uploads_the_corpus_once_per_passage_and_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_KNOWLEDGE_BUCKET", "aicc-knowledge-test")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="aicc-customers",
            KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "customer_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="aicc-knowledge-test")
        first = seed_reference_data()
        second = seed_reference_data()
        assert first["customers"] == 22
        assert first["knowledge_passages"] == len(CORPUS)
        assert first["knowledge_objects_written"] == 2 * len(CORPUS)
        assert second["knowledge_objects_written"] == 0
        keys = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket="aicc-knowledge-test")
                for o in page.get("Contents", [])}  # fmt: skip
        assert len(keys) == 2 * len(CORPUS)
        meta = json.loads(
            s3.get_object(Bucket="aicc-knowledge-test", Key="recall-R-2023-014.json.metadata.json")["Body"].read()
        )
        assert meta == CORPUS["recall-R-2023-014"].kendra_metadata()
        body = json.loads(s3.get_object(Bucket="aicc-knowledge-test", Key="recall-R-2023-014.json")["Body"].read())
        assert body["doc_id"] == "recall-R-2023-014" and "R-2023-014" in body["text"]
    assert set(knowledge_objects()) == keys


def test_seed_stores_the_demo_customers_through_the_given_port() -> None:
    customers = MemoryCustomers()
    assert seed_reference_data(customers) == {"customers": len(demo_customers())}
    assert customers.get("cust-0001") == next(c for c in demo_customers() if c["customer_id"] == "cust-0001")
