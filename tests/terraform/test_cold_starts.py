"""Cold starts by design: one table of memory per function (contracts/sizing.py), SnapStart on the
reply path behind an alias that every trigger invokes, and provisioned concurrency as a prod switch."""

from __future__ import annotations

import json
import re

from contracts.frames import WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES
from contracts.http import HTTP_ROUTES
from contracts.manifest import manifest
from contracts.sizing import FUNCTIONS, ONE_VCPU_MB
from tests.terraform.hcl import TERRAFORM, env, expr, module


def deployed_functions() -> set[str]:
    """What Terraform deploys: one function per agent, one per WebSocket or HTTP API handler module."""
    websocket = {handler.split(".")[1] for handler, _ in WEBSOCKET_ROUTES.values()} | {
        WEBSOCKET_AUTHORIZER.split(".")[1]
    }
    http = {handler.split(".")[1] for handler in HTTP_ROUTES.values()}
    return {agent.name for agent in manifest().agents} | websocket | http


def test_every_deployed_function_has_one_row_of_sizing() -> None:
    assert set(FUNCTIONS) == deployed_functions()
    exported = json.loads((TERRAFORM / "functions.json").read_text())
    assert exported == {name: {"memory_mb": s.memory_mb, "reply_path": s.reply_path} for name, s in FUNCTIONS.items()}


def test_the_manifest_takes_agent_memory_from_the_table() -> None:
    for agent in manifest().agents:
        assert agent.memory_mb == FUNCTIONS[agent.name].memory_mb, agent.name
    for agent in json.loads((TERRAFORM / "manifest.json").read_text())["agents"]:
        assert agent["memory_mb"] == FUNCTIONS[agent["name"]].memory_mb, agent["name"]


def test_the_reply_path_runs_on_a_whole_vcpu() -> None:
    reply_path = {name for name, s in FUNCTIONS.items() if s.reply_path}
    # The ingress publishes the turn, the aggregator pushes the reply: both are on every reply's path.
    assert {"ws_ingress", "aggregator"} <= reply_path
    assert all(FUNCTIONS[name].memory_mb == ONE_VCPU_MB for name in reply_path)
    assert all(s.memory_mb <= ONE_VCPU_MB for s in FUNCTIONS.values())


def test_terraform_sets_every_function_memory_from_the_table_and_nowhere_else() -> None:
    stack = module("stack")
    assert stack.locals["functions"] == '${jsondecode(file("${path.module}/../../functions.json"))}'
    sizing = expr(stack.locals["function_sizing"])
    assert sizing.startswith("{for name, fn in local.functions : name => {")
    assert "memory_mb = fn.memory_mb" in sizing
    assert stack.modules["agent"]["sizing"] == "${local.function_sizing[each.key]}"
    assert stack.modules["websocket"]["sizing"] == "${local.function_sizing}"

    agent_fn = module("agent").modules["function"]
    assert agent_fn["memory_mb"] == "${var.sizing.memory_mb}"
    ws_fn = module("websocket").modules["function"]
    assert ws_fn["memory_mb"] == "${var.sizing[each.key].memory_mb}"
    assert stack.modules["http_api"]["sizing"] == "${local.function_sizing}"
    assert module("httpapi").modules["function"]["memory_mb"] == "${var.sizing[each.key].memory_mb}"
    # The websocket module's functions are keyed by handler module, the table's names for them.
    assert 'split(".", handler)[1] => handler' in module("websocket").locals["functions"]

    function = module("function")
    assert "default" not in function.variables["memory_mb"], "a default would be a second source of memory"
    assert function.resource("aws_lambda_function", "this")["memory_size"] == "${var.memory_mb}"
    # No figure of memory anywhere in the Terraform: every value comes through var.sizing.
    for tf in sorted(TERRAFORM.rglob("*.tf")):
        assert not re.search(r"memory_(mb|size)\s*=\s*\d", tf.read_text()), tf.relative_to(TERRAFORM)


def test_reply_path_functions_get_snapstart_on_a_published_version() -> None:
    sizing = expr(module("stack").locals["function_sizing"])
    assert "snap_start = fn.reply_path && var.provisioned_concurrency == 0" in sizing
    assert module("agent").modules["function"]["snap_start"] == "${var.sizing.snap_start}"
    assert module("websocket").modules["function"]["snap_start"] == "${var.sizing[each.key].snap_start}"

    function = module("function")
    lam = function.resource("aws_lambda_function", "this")
    assert lam["publish"] is True
    (snap,) = lam["snap_start"]
    assert expr(snap["apply_on"]) == 'var.snap_start ? "PublishedVersions" : "None"'
    # SnapStart takes Python from 3.12 on; the stack deploys that runtime.
    conditions = " ".join(p["condition"] for p in lam["lifecycle"][0]["precondition"])
    assert "python3" in conditions and "var.runtime" in conditions
    assert "!(var.snap_start && var.provisioned_concurrency > 0)" in conditions
    assert module("stack").variables["lambda_runtime"]["default"] == "python3.12"

    alias = function.resource("aws_lambda_alias", "live")
    assert alias["function_name"] == "${aws_lambda_function.this.function_name}"
    assert alias["function_version"] == "${aws_lambda_function.this.version}"


def test_every_trigger_invokes_the_alias() -> None:
    mapping = module("agent").resource("aws_lambda_event_source_mapping", "this")
    assert mapping["function_name"] == "${module.function.alias_arn}"
    outputs = module("function").outputs
    assert outputs["alias_arn"]["value"] == "${aws_lambda_alias.live.arn}"
    assert outputs["alias_invoke_arn"]["value"] == "${aws_lambda_alias.live.invoke_arn}"

    ws = module("websocket")
    assert ws.resource("aws_apigatewayv2_integration", "this")["integration_uri"] == (
        "${module.function[each.key].alias_invoke_arn}"
    )
    assert ws.resource("aws_apigatewayv2_authorizer", "this")["authorizer_uri"] == (
        "${module.function[local.authorizer_function].alias_invoke_arn}"
    )
    assert ws.resource("aws_lambda_permission", "invoke")["qualifier"] == "${module.function[each.key].alias_name}"
    # No resource is wired to the unqualified function (outputs may still name it).
    for tf in sorted(TERRAFORM.rglob("main.tf")):
        assert not re.search(r"module\.function(\[[^\]]+\])?\.(function_arn|invoke_arn)\b", tf.read_text()), tf


def test_provisioned_concurrency_is_a_prod_switch_on_the_alias() -> None:
    config = module("function").resource("aws_lambda_provisioned_concurrency_config", "this")
    assert config["count"] == "${var.provisioned_concurrency > 0 ? 1 : 0}"
    assert config["qualifier"] == "${aws_lambda_alias.live.name}"
    assert config["provisioned_concurrent_executions"] == "${var.provisioned_concurrency}"

    stack = module("stack")
    assert stack.variables["provisioned_concurrency"]["default"] == 0
    sizing = expr(stack.locals["function_sizing"])
    assert "provisioned_concurrency = fn.reply_path ? var.provisioned_concurrency : 0" in sizing
    assert module("agent").modules["function"]["provisioned_concurrency"] == "${var.sizing.provisioned_concurrency}"

    prod = env("prod")
    assert prod.variables["provisioned_concurrency"]["default"] == 0
    assert prod.modules["primary"]["provisioned_concurrency"] == "${var.provisioned_concurrency}"
    assert prod.modules["dr"]["provisioned_concurrency"] == 0
