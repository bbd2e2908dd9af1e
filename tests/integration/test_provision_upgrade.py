"""A stack started on data kept by an earlier version gets the indexes this version added: the
staff queue push finds staff connections through `by_staff`, which older connection tables lack."""

from __future__ import annotations

import dataclasses

import boto3
from moto import mock_aws

from aicc.embedded.provision import provision
from aicc.runtime.tables import TABLES, create_table_kwargs
from contracts.manifest import manifest

PREFIX = "aicc-upgrade-"


def test_a_kept_table_gains_the_indexes_of_this_version() -> None:
    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        dynamodb = session.client("dynamodb")
        connections = TABLES["connections"]
        assert connections.indexes, "this version indexes staff connections"
        older = dataclasses.replace(connections, indexes=())
        dynamodb.create_table(**create_table_kwargs(older, PREFIX))
        dynamodb.put_item(TableName=f"{PREFIX}connections", Item={"connection_id": {"S": "kept"}})

        provision(
            manifest(), events=session.client("events"), sqs=session.client("sqs"), dynamodb=dynamodb, prefix=PREFIX
        )

        table = dynamodb.describe_table(TableName=f"{PREFIX}connections")["Table"]
        assert {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} == {
            i.name for i in connections.indexes
        }
        assert dynamodb.get_item(TableName=f"{PREFIX}connections", Key={"connection_id": {"S": "kept"}}).get("Item")
