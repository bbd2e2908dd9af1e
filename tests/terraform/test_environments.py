"""dev, prod (+ DR) and eu roots: remote state with locking, one stack module, residency and DR wiring."""

from __future__ import annotations

import pytest

from tests.terraform.hcl import env, module


@pytest.mark.parametrize("name", ["dev", "prod", "eu"])
def test_remote_state_in_s3_with_locking(name: str) -> None:
    (block,) = env(name).terraform
    (backend,) = block["backend"]
    s3 = backend["s3"]
    assert s3["key"] == f"aicc/{name}/terraform.tfstate"
    assert s3["encrypt"] is True
    assert s3["use_lockfile"] is True
    assert block["required_version"].startswith(">= 1.1")  # use_lockfile needs Terraform 1.10


@pytest.mark.parametrize("name", ["dev", "prod", "eu"])
def test_environments_compose_the_stack_module(name: str) -> None:
    stacks = {k: v for k, v in env(name).modules.items() if v["source"] == "../../modules/stack"}
    assert stacks
    for body in stacks.values():
        assert body["environment"] == name


def test_prod_primary_in_us_east_1_with_a_dr_stack_in_us_west_2() -> None:
    prod = env("prod")
    assert prod.variables["primary_region"]["default"] == "us-east-1"
    assert prod.variables["dr_region"]["default"] == "us-west-2"
    regions = {p.get("alias", "default"): p["region"] for block in prod.providers for p in block.values()}
    assert regions == {"default": "${var.primary_region}", "dr": "${var.dr_region}", "us_east_1": "us-east-1"}
    primary, dr = prod.modules["primary"], prod.modules["dr"]
    assert primary["replica_regions"] == ["${var.dr_region}"]
    assert dr["create_tables"] is False
    assert dr["providers"] == [{"aws": "${aws.dr}", "aws.us_east_1": "${aws.us_east_1}"}] or "aws.dr" in str(
        dr["providers"]
    )
    failover = prod.modules["failover"]
    assert failover["source"] == "../../modules/failover"
    assert failover["primary_health_alarm_name"] == "${module.primary.health_alarm_name}"
    records = module("failover").resources_of("aws_route53_record")
    assert {r["failover_routing_policy"][0]["type"] for r in records.values()} == {"PRIMARY", "SECONDARY"}
    assert module("failover").resource("aws_route53_health_check", "primary")["invert_healthcheck"] == (
        "${var.force_failover}"
    )


def test_eu_stays_in_the_eu() -> None:
    eu = env("eu")
    regions = {p.get("alias", "default"): p["region"] for block in eu.providers for p in block.values()}
    assert regions["default"] == "eu-west-1"
    (backend,) = eu.terraform[0]["backend"]
    assert backend["s3"]["region"] == "eu-west-1"
    stack = eu.modules["stack"]
    assert stack["allowed_replica_region_prefix"] == "eu-"
    assert stack["cdn_waf_logging"] is False
    assert eu.variables["replica_regions"]["default"] == []
    assert 'startswith(r, "eu-")' in eu.text()
    table = module("data").resource("aws_dynamodb_table", "this")
    assert "var.allowed_replica_region_prefix" in table["lifecycle"][0]["precondition"][0]["condition"]
