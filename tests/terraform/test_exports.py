"""terraform/*.json are fresh exports of the Python definitions, and say the same as those definitions."""

from __future__ import annotations

import importlib
import json

import pytest

from aicc.runtime.tables import TABLES, create_table_kwargs
from contracts.frames import ROUTE_SELECTION_EXPRESSION, WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES
from contracts.manifest import manifest
from contracts.schema_export import TERRAFORM_DIR, TERRAFORM_EXPORTS, render_terraform_exports
from tests.terraform.hcl import TERRAFORM


def load(name: str) -> dict:
    return json.loads((TERRAFORM / name).read_text())


def test_exports_are_fresh() -> None:
    assert TERRAFORM_DIR == TERRAFORM
    expected = render_terraform_exports(TABLES)
    assert set(expected) == set(TERRAFORM_EXPORTS)
    stale = [name for name, text in expected.items() if (TERRAFORM / name).read_text() != text]
    assert not stale, f"run `python scripts/generate_contracts.py`; stale: {stale}"


def test_manifest_export_is_the_manifest() -> None:
    exported = {agent["name"]: agent for agent in load("manifest.json")["agents"]}
    assert list(exported) == [agent.name for agent in manifest().agents]
    for agent in manifest().agents:
        data = exported[agent.name]
        assert data["handler"] == agent.handler
        assert data["source"] == agent.source
        assert data["queue_name"] == agent.queue_name
        assert data["dlq_name"] == agent.dlq_name
        assert data["tables"] == agent.tables
        assert [(s["rule_name"], s["pattern"]) for s in data["consumes"]] == [
            (agent.rule_name(sub), sub.pattern) for sub in agent.consumes
        ]


def create_table_from_export(name: str, table: dict, prefix: str) -> dict[str, object]:
    """What Terraform's aws_dynamodb_table (modules/data) asks DynamoDB for, from tables.json."""
    key_schema = [{"AttributeName": table["hash_key"], "KeyType": "HASH"}]
    if table["range_key"]:
        key_schema.append({"AttributeName": table["range_key"], "KeyType": "RANGE"})
    kwargs: dict[str, object] = {
        "TableName": prefix + name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": key_schema,
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": v} for k, v in table["attributes"].items()],
    }
    if table["indexes"]:
        indexes = []
        for index in table["indexes"]:
            schema = [{"AttributeName": index["hash_key"], "KeyType": "HASH"}]
            if index["range_key"]:
                schema.append({"AttributeName": index["range_key"], "KeyType": "RANGE"})
            indexes.append(
                {"IndexName": index["name"], "KeySchema": schema, "Projection": {"ProjectionType": index["projection"]}}
            )
        kwargs["GlobalSecondaryIndexes"] = indexes
    return kwargs


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_match_the_embedded_default(name: str) -> None:
    exported = load("tables.json")
    assert set(exported) == set(TABLES)
    spec = TABLES[name]
    assert create_table_from_export(name, exported[name], "aicc-dev-") == create_table_kwargs(spec, "aicc-dev-")
    assert exported[name]["ttl_attribute"] == spec.ttl_attribute


def test_every_table_an_agent_uses_exists() -> None:
    for agent in manifest().agents:
        assert set(agent.tables) <= set(TABLES), agent.name


def test_websocket_routes_match_the_gateway() -> None:
    exported = load("websocket_routes.json")
    assert exported["route_selection_expression"] == ROUTE_SELECTION_EXPRESSION
    assert exported["authorizer"]["handler"] == WEBSOCKET_AUTHORIZER
    assert exported["authorizer"]["identity_sources"] == ["route.request.querystring.token"]
    assert {key: (r["handler"], r["route_response"]) for key, r in exported["routes"].items()} == WEBSOCKET_ROUTES
    assert {"$connect", "$disconnect", "$default", "sendMessage"} <= set(exported["routes"])


def test_every_handler_in_the_exports_exists() -> None:
    routes = load("websocket_routes.json")
    names = [a["handler"] for a in load("manifest.json")["agents"]]
    names += [r["handler"] for r in routes["routes"].values()] + [routes["authorizer"]["handler"]]
    for dotted in names:
        module, _, attr = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr)), dotted
