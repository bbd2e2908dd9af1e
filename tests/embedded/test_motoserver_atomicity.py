"""The stand-in must keep DynamoDB's per-item atomicity: concurrent writes never lose each other.

moto's UpdateItem on a missing item creates it with a put; two first writes racing each create it,
and the second put drops the first write's attribute (seen in the embedded stack under load: the
aggregator's turn state lost ConversationReceived). Its UpdateItem also reads the old item
for ReturnValues=ALL_OLD apart from the write, so two racing writes could both report the same
old item (the aggregator tells from it whether its write completed the turn). The race window is
widened here so the tests are deterministic: without `serialize_dynamodb_writes` they fail every
time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.parsing import validators

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.dynamodb import ATOMIC_WRITES


@pytest.fixture
def slow_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    original = validators.UpdateExpressionValidator.validate

    def validate(self: Any) -> Any:
        time.sleep(0.05)  # widen the read-modify-write window
        return original(self)

    monkeypatch.setattr(validators.UpdateExpressionValidator, "validate", validate)


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="atomicity",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )
        yield dynamodb


@pytest.fixture
def serialized(moto_patch: Callable[..., None]) -> None:
    moto_patch(ATOMIC_WRITES.name)


def _race(dynamodb: Any, writers: int = 4, olds: list[set[str]] | None = None) -> set[str]:
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        start.wait()
        response = dynamodb.update_item(
            TableName="atomicity",
            Key={"pk": {"S": "turn"}},
            UpdateExpression="SET #a = if_not_exists(#a, :v)",
            ExpressionAttributeNames={"#a": f"r{n}"},
            ExpressionAttributeValues={":v": {"N": str(n)}},
            ReturnValues="ALL_OLD",
        )
        if olds is not None:
            olds.append({k for k in response.get("Attributes", {}) if k != "pk"})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    item = dynamodb.get_item(TableName="atomicity", Key={"pk": {"S": "turn"}}, ConsistentRead=True)["Item"]
    return {k for k in item if k != "pk"}


def test_unpatched_moto_loses_racing_first_writes(table: Any, slow_validation: None) -> None:
    if PATCHES.is_applied(ATOMIC_WRITES.name):
        pytest.skip("moto is already patched in this process")
    assert len(_race(table)) < 4


def test_serialized_writes_all_land(table: Any, slow_validation: None, serialized: None) -> None:
    assert _race(table) == {"r0", "r1", "r2", "r3"}


def test_each_write_returns_the_item_it_replaced(table: Any, slow_validation: None, serialized: None) -> None:
    olds: list[set[str]] = []
    _race(table, olds=olds)
    # Applied one after another: the old items are 0, 1, 2 and 3 attributes, each holding the last.
    chain = sorted(olds, key=len)
    assert [len(old) for old in chain] == [0, 1, 2, 3]
    assert all(a < b for a, b in itertools.pairwise(chain))
