"""The stand-in's Query reads only what it can match; its answers must be moto's, item for item."""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models.table import Table

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.dynamodb import QUERY_PARTITIONS

_keys = st.sampled_from(["a", "b", "c", "d"])
_rows = st.lists(
    st.fixed_dictionaries({"pk": _keys, "sk": st.integers(0, 30), "gk": _keys, "v": st.integers(0, 5)}),
    max_size=25,
)
_queries = st.lists(
    st.fixed_dictionaries(
        {
            "index": st.booleans(),
            "key": _keys,
            "forward": st.booleans(),
            "limit": st.none() | st.integers(1, 4),
            "above": st.none() | st.integers(0, 30),
        }
    ),
    min_size=1,
    max_size=6,
)


def _answers(rows: list[dict[str, Any]], queries: list[dict[str, Any]], *, range_key: bool) -> list[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
        attributes = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "gk", "AttributeType": "S"}]
        if range_key:
            schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
            attributes.append({"AttributeName": "sk", "AttributeType": "N"})
        dynamodb.create_table(
            TableName="t",
            KeySchema=schema,
            AttributeDefinitions=attributes,
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_gk",
                    "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for row in rows:
            dynamodb.put_item(
                TableName="t",
                Item={
                    "pk": {"S": row["pk"]},
                    "sk": {"N": str(row["sk"])},
                    "gk": {"S": row["gk"]},
                    "v": {"N": str(row["v"])},
                },
            )
        answers = []
        for query in queries:
            kwargs: dict[str, Any] = {"TableName": "t", "ScanIndexForward": query["forward"]}
            if query["index"]:
                kwargs.update(IndexName="by_gk", KeyConditionExpression="gk = :k")
                values = {":k": {"S": query["key"]}}
            elif range_key and query["above"] is not None:
                kwargs["KeyConditionExpression"] = "pk = :k AND sk > :s"
                values = {":k": {"S": query["key"]}, ":s": {"N": str(query["above"])}}
            else:
                kwargs["KeyConditionExpression"] = "pk = :k"
                values = {":k": {"S": query["key"]}}
            kwargs["ExpressionAttributeValues"] = values
            if query["limit"]:
                kwargs["Limit"] = query["limit"]
            pages = []
            while True:  # every page, following LastEvaluatedKey
                page = dynamodb.query(**kwargs)
                page.pop("ResponseMetadata", None)
                pages.append(page)
                if "LastEvaluatedKey" not in page or len(pages) > 40:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            answers.append(pages)
        answers.append(dynamodb.scan(TableName="t")["Items"])
        return answers


@settings(max_examples=40, deadline=None)
@given(rows=_rows, queries=_queries, range_key=st.booleans())
def test_queries_answer_as_moto_does(
    rows: list[dict[str, Any]], queries: list[dict[str, Any]], range_key: bool
) -> None:
    original = Table.query
    expected = _answers(rows, queries, range_key=range_key)
    with PATCHES.applied(QUERY_PARTITIONS.name):
        assert Table.query is not original
        assert _answers(rows, queries, range_key=range_key) == expected
    assert Table.query is original
