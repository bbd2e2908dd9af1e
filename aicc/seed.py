"""Load the reference data shipped in the repo into the tables (embedded default or AWS alike).

Idempotent: items are keyed, so re-running overwrites with the same content. When
`AICC_KNOWLEDGE_BUCKET` is set, the knowledge corpus also goes to that bucket for Kendra: one
`<doc_id>.json` object per passage beside its `<doc_id>.json.metadata.json` (Kendra's S3 convention);
objects whose content is unchanged are not rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from typing import Any

from aicc.ports.customers import Customers
from aicc.runtime.clients import client


def demo_customers() -> list[dict[str, Any]]:
    return json.loads(resources.files("aicc.data").joinpath("customers.json").read_text())


def knowledge_objects() -> dict[str, bytes]:
    """S3 key -> body for every corpus passage and its Kendra metadata, in a stable byte form."""
    from aicc.knowledge.corpus import load_corpus

    objects: dict[str, bytes] = {}
    for passage in load_corpus():
        key = f"{passage.doc_id}.json"
        objects[key] = json.dumps(passage.model_dump(mode="json"), sort_keys=True).encode()
        objects[f"{key}.metadata.json"] = json.dumps(passage.kendra_metadata(), sort_keys=True).encode()
    return objects


def upload_knowledge(bucket: str) -> dict[str, int]:
    """Put the corpus in the bucket, skipping objects whose ETag (MD5 of a single-part put) already matches."""
    s3 = client("s3")
    existing: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            existing[item["Key"]] = item["ETag"].strip('"')
    objects = knowledge_objects()
    written = 0
    for key, body in objects.items():
        if existing.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
        written += 1
    return {"knowledge_passages": len(objects) // 2, "knowledge_objects_written": written}


def seed_reference_data(customers: Customers | None = None) -> dict[str, int]:
    """Store the demo customers (in DynamoDB unless another `Customers` is given), then the corpus."""
    if customers is None:
        from aicc.adapters.dynamodb.customers import DynamoDBCustomers

        customers = DynamoDBCustomers()
    counts = {"customers": customers.put_all(demo_customers())}
    bucket = os.environ.get("AICC_KNOWLEDGE_BUCKET")
    if bucket:
        counts.update(upload_knowledge(bucket))
    return counts
