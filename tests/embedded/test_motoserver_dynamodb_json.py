"""The stand-in answers DynamoDB item operations with plain JSON: botocore must parse it exactly as
it parses moto's own serializer's output, for any item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.responses import DynamoResult

from aicc.embedded.moto.patches.dynamodb import ITEMS_AS_JSON
from tests.embedded.patched import answers_as_moto

_names = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)
_numbers = st.integers(-(10**12), 10**12).map(str) | st.decimals(-1000, 1000, places=3).map(str)
_strings = st.text(max_size=20)
_bytes = st.binary(min_size=1, max_size=12)
_scalars = st.one_of(
    _strings.map(lambda v: {"S": v}),
    _numbers.map(lambda v: {"N": v}),
    _bytes.map(lambda v: {"B": v}),
    st.booleans().map(lambda v: {"BOOL": v}),
    st.just({"NULL": True}),
    st.sets(st.text(min_size=1, max_size=5), min_size=1, max_size=3).map(lambda v: {"SS": sorted(v)}),
    st.sets(st.integers(-99, 99), min_size=1, max_size=3).map(lambda v: {"NS": sorted(str(n) for n in v)}),
    st.sets(_bytes, min_size=1, max_size=3).map(lambda v: {"BS": sorted(v)}),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda v: {"L": v})
        | st.dictionaries(_names, inner, max_size=3).map(lambda v: {"M": v})
    ),
    max_leaves=8,
)
_items = st.dictionaries(_names, _values, min_size=1, max_size=5)


def _responses(item: dict[str, Any]) -> list[Any]:
    """Every item operation the handlers use, on one fresh table; botocore's parsed answers."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "gk", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_gk",
                    "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        key = {"pk": {"S": "p"}, "sk": {"S": "1"}}
        full = {**item, **key, "gk": {"S": "g"}}
        calls: list[Callable[[], Any]] = [
            lambda: dynamodb.put_item(TableName="t", Item=full, ReturnConsumedCapacity="TOTAL"),
            lambda: dynamodb.put_item(TableName="t", Item=full, ReturnValues="ALL_OLD"),
            lambda: dynamodb.get_item(TableName="t", Key=key, ConsistentRead=True),
            lambda: dynamodb.get_item(TableName="t", Key={"pk": {"S": "none"}, "sk": {"S": "1"}}),
            lambda: dynamodb.update_item(
                TableName="t",
                Key=key,
                UpdateExpression="SET #n = if_not_exists(#n, :v), extra = :v",
                ExpressionAttributeNames={"#n": "added"},
                ExpressionAttributeValues={":v": {"S": "x"}},
                ReturnValues="ALL_NEW",
                ReturnConsumedCapacity="INDEXES",
            ),
            lambda: dynamodb.update_item(
                TableName="t",
                Key=key,
                UpdateExpression="SET extra = :v",
                ExpressionAttributeValues={":v": {"N": "2"}},
                ReturnValues="UPDATED_OLD",
            ),
            lambda: dynamodb.query(
                TableName="t",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}},
                ReturnConsumedCapacity="TOTAL",
            ),
            lambda: dynamodb.query(
                TableName="t",
                IndexName="by_gk",
                KeyConditionExpression="gk = :g",
                ExpressionAttributeValues={":g": {"S": "g"}},
            ),
            lambda: dynamodb.query(
                TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}, Limit=1
            ),
            lambda: dynamodb.scan(TableName="t"),
            lambda: dynamodb.batch_get_item(RequestItems={"t": {"Keys": [key]}}),
            lambda: dynamodb.batch_write_item(
                RequestItems={"t": [{"PutRequest": {"Item": {**full, "sk": {"S": "2"}}}}]},
                ReturnConsumedCapacity="TOTAL",
            ),
            lambda: dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key}}]),
            lambda: dynamodb.transact_write_items(
                TransactItems=[{"Put": {"TableName": "t", "Item": {**full, "sk": {"S": "3"}}}}]
            ),
            lambda: dynamodb.delete_item(TableName="t", Key=key, ReturnValues="ALL_OLD"),
        ]
        out = []
        for call in calls:
            response = call()
            response.pop("ResponseMetadata", None)
            out.append(response)
        return out


@settings(max_examples=40, deadline=None)
@given(item=_items)
def test_direct_json_parses_exactly_like_motos_serializer(item: dict[str, Any]) -> None:
    # moto's own serializer first, then the direct one; the registry restores moto's afterwards.
    answers_as_moto(DynamoResult, "execute_result", ITEMS_AS_JSON.name, lambda: _responses(item))


def test_errors_keep_motos_serializer(moto_patch: Callable[..., None]) -> None:
    moto_patch(ITEMS_AS_JSON.name)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
            dynamodb.get_item(TableName="missing", Key={"pk": {"S": "p"}})


def _parameters_and_responses(item: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The parameters moto's handler worked from for each call of `_responses`, and the answers."""
    from moto.dynamodb.responses import DynamoHandler

    seen: list[Any] = []
    parse = DynamoHandler.parse_parameters

    def recording(self: Any, request: Any) -> None:
        parse(self, request)
        # botocore draws a fresh ClientRequestToken for each transaction: not the request's content.
        seen.append((self._get_action(), {k: v for k, v in self.params.items() if k != "ClientRequestToken"}))

    DynamoHandler.parse_parameters = recording  # type: ignore[method-assign]
    try:
        answers = _responses(item)
    finally:
        del DynamoHandler.parse_parameters  # inherited again, or the patch's (set on the class below)
        if parse is not DynamoHandler.parse_parameters:
            DynamoHandler.parse_parameters = parse  # type: ignore[method-assign]
    return seen, answers


@settings(max_examples=15, deadline=None)
@given(item=_items)
def test_item_requests_are_read_as_motos_parser_reads_them(item: dict[str, Any]) -> None:
    from moto.dynamodb.responses import DynamoHandler

    from aicc.embedded.moto.patches.dynamodb import JSON_PARAMETER_ACTIONS, PARAMETERS_AS_JSON

    # Attribute names that spell the binary members: only AttributeValue members are binary.
    item = {**item, "B": {"S": "b"}, "BS": {"M": {"B": {"B": b"\x00x"}, "BS": {"BS": [b"y"]}}}}
    parameters, _ = answers_as_moto(
        DynamoHandler, "parse_parameters", PARAMETERS_AS_JSON.name, lambda: _parameters_and_responses(item)
    )
    assert {action for action, _ in parameters} >= JSON_PARAMETER_ACTIONS
