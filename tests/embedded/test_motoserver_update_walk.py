"""The stand-in's faster UpdateExpression walk answers every UpdateItem exactly as moto's own walk:
the same items, the same errors with the same messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.parsing import ast_nodes

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.dynamodb import FASTER_UPDATE_WALK

START = {
    "pk": {"S": "a"},
    "sk": {"S": "1"},
    "m": {"M": {"x": {"N": "1"}, "l": {"L": [{"S": "p"}, {"N": "2"}]}}},
    "n": {"N": "5"},
    "ss": {"SS": ["a", "b"]},
    "s": {"S": "str"},
}

# (UpdateExpression, names, values, condition): the handlers' own shapes first, then the rest of the grammar
# and the errors moto's validators raise.
CASES: list[tuple[str, dict[str, str], dict[str, Any], str | None]] = [
    (
        "SET #r = if_not_exists(#r, :r), expires_at = :ttl",
        {"#r": "r:Intent"},
        {":r": {"S": "{}"}, ":ttl": {"N": "9"}},
        None,
    ),
    (
        "SET #r0 = if_not_exists(#r0, :r0), #r1 = if_not_exists(#r1, :r1), expires_at = :ttl",
        {"#r0": "r:Intent", "#r1": "r:Sentiment"},
        {":r0": {"S": "changed"}, ":r1": {"S": "{}"}, ":ttl": {"N": "10"}},
        None,
    ),
    (
        "SET claimed_at = :now",
        {},
        {":now": {"N": "100"}, ":cut": {"N": "70"}},
        "attribute_not_exists(claimed_at) OR (attribute_not_exists(delivered_at) AND claimed_at < :cut)",
    ),
    (
        "SET claimed_at = :now",
        {},
        {":now": {"N": "101"}, ":cut": {"N": "71"}},
        "attribute_not_exists(claimed_at) OR (attribute_not_exists(delivered_at) AND claimed_at < :cut)",
    ),
    ("ADD #c0 :v0, #c1 :v1", {"#c0": "turns", "#c1": "degraded"}, {":v0": {"N": "1"}, ":v1": {"N": "0"}}, None),
    ("SET m.x = m.x + :one, n = n - :two", {}, {":one": {"N": "1"}, ":two": {"N": "2"}}, None),
    ("SET m.l[1] = :v, m.l = list_append(m.l, :lst)", {}, {":v": {"N": "3"}, ":lst": {"L": [{"S": "q"}]}}, None),
    ("SET m.l[0] = if_not_exists(m.l[0], :v)", {}, {":v": {"S": "z"}}, None),
    ("REMOVE m.l[0], s", {}, {}, None),
    ("REMOVE m.l[9]", {}, {}, None),
    ("ADD n :one, ss :set", {}, {":one": {"N": "1"}, ":set": {"SS": ["c"]}}, None),
    ("DELETE ss :set", {}, {":set": {"SS": ["a"]}}, None),
    ("SET a = :v REMOVE b ADD c :one", {}, {":v": {"S": "x"}, ":one": {"N": "1"}}, None),
    ("SET #a = if_not_exists(#b, :v)", {"#a": "fresh", "#b": "n"}, {":v": {"N": "0"}}, None),
    ("SET s = :empty", {}, {":empty": {"S": ""}}, None),
    ("SET newmap = :map, newmap.inner = :v", {}, {":map": {"M": {}}, ":v": {"N": "1"}}, None),
    ("SET pk = :v", {}, {":v": {"S": "b"}}, None),
    ("SET sk = :empty", {}, {":empty": {"S": ""}}, None),
    ("SET missing.x = :v", {}, {":v": {"N": "1"}}, None),
    ("SET n = n + :str", {}, {":str": {"S": "x"}}, None),
    ("SET #unused = :v", {"#unused": "u", "#extra": "e"}, {":v": {"N": "1"}}, None),
    ("SET a = :v, a = :w", {}, {":v": {"N": "1"}, ":w": {"N": "2"}}, None),
    ("ADD m :one", {}, {":one": {"N": "1"}}, None),
    ("SET a = :v SET b = :v", {}, {":v": {"N": "1"}}, None),
    ("SET a = list_append(if_not_exists(a, :l), :l) ADD n :one", {}, {":l": {"L": []}, ":one": {"N": "1"}}, None),
]


def _answers() -> list[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="walk",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
        )
        dynamodb.put_item(TableName="walk", Item=START)
        answers: list[Any] = []
        for expression, names, values, condition in CASES:
            request: dict[str, Any] = {
                "TableName": "walk",
                "Key": {"pk": START["pk"], "sk": START["sk"]},
                "UpdateExpression": expression,
                "ReturnValues": "ALL_NEW",
            }
            if names:
                request["ExpressionAttributeNames"] = names
            if values:
                request["ExpressionAttributeValues"] = values
            if condition:
                request["ConditionExpression"] = condition
            try:
                answers.append(dynamodb.update_item(**request)["Attributes"])
            except ClientError as error:
                answers.append((error.response["Error"]["Code"], error.response["Error"]["Message"]))
        return answers


def test_every_update_answers_as_with_motos_own_walk(moto_patch: Callable[..., None]) -> None:
    walker: Any = ast_nodes.DepthFirstTraverser  # type: ignore[attr-defined]
    if PATCHES.is_applied(FASTER_UPDATE_WALK.name):
        pytest.skip("moto is already patched in this process")
    original = walker.traverse_node_recursively
    original_search = ast_nodes.Node.find_clauses  # type: ignore[attr-defined]
    expected = _answers()
    errors = [a for a in expected if isinstance(a, tuple)]
    assert len(errors) >= 6, "the cases must reach moto's validators' errors"
    moto_patch(FASTER_UPDATE_WALK.name)
    assert walker.traverse_node_recursively is not original
    assert ast_nodes.Node.find_clauses is not original_search  # type: ignore[attr-defined]
    assert _answers() == expected
