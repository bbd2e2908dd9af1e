"""Contract suites for the ports: every test runs against the in-memory adapter (unit tier) and
the DynamoDB adapter on moto (integration tier), so the two cannot drift apart.

moto's tables are created once for this folder (package scope: mock_aws patches botocore
process-wide while active, and the embedded tests talk to a real moto server) and emptied between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

BACKENDS = [pytest.param("memory", marks=pytest.mark.unit), pytest.param("moto", marks=pytest.mark.integration)]


@pytest.fixture(scope="package")
def _moto_session() -> Iterator[Any]:
    from moto import mock_aws

    from aicc.runtime.tables import TABLES, create_table_kwargs

    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            import boto3

            dynamodb = boto3.client("dynamodb", region_name="us-east-1")
            for spec in TABLES.values():
                dynamodb.create_table(**create_table_kwargs(spec, "aicc-"))  # type: ignore[arg-type]
            yield dynamodb


@pytest.fixture
def moto_tables(_moto_session: Any) -> Iterator[Any]:
    """Every table of the manifest on moto, empty at the start of the test."""
    yield _moto_session
    from aicc.runtime.tables import TABLES, table_name

    for name, spec in TABLES.items():
        keys = [spec.hash_key, *([spec.range_key] if spec.range_key else [])]
        paginator = _moto_session.get_paginator("scan")
        for page in paginator.paginate(
            TableName=table_name(name),
            ProjectionExpression=", ".join(f"#k{i}" for i in range(len(keys))),
            ExpressionAttributeNames={f"#k{i}": key for i, key in enumerate(keys)},
        ):
            for item in page.get("Items", []):
                _moto_session.delete_item(TableName=table_name(name), Key=item)
