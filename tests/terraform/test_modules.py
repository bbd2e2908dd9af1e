"""The Terraform modules say what the issue asks, and agree with the manifest, tables and routes.

No terraform binary can plan here, so the checks read the parsed HCL: the for_each sources, the
naming templates (evaluated against the manifest), the wiring of every agent and the permissions.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from contracts.events import EVENT_MODELS
from contracts.manifest import manifest
from tests.terraform.hcl import MODULES, ROOT, TERRAFORM, config, expr, module, parse, render

TF_FILES = sorted(TERRAFORM.rglob("*.tf"))
AGENTS = json.loads((TERRAFORM / "manifest.json").read_text())["agents"]
ROUTES = json.loads((TERRAFORM / "websocket_routes.json").read_text())


@pytest.mark.parametrize("path", TF_FILES, ids=[str(p.relative_to(TERRAFORM)) for p in TF_FILES])
def test_every_tf_file_parses(path: Path) -> None:
    assert isinstance(parse(path), dict)


@pytest.mark.parametrize("path", sorted(p for p in MODULES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_every_module_pins_the_aws_provider_v5(path: Path) -> None:
    blocks = config(path).terraform
    assert blocks, f"{path.name} has no terraform block"
    aws = blocks[0]["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert re.match(r">= ?5\.", aws["version"])


# --- the stack reads the exports --------------------------------------------------------------------


def resolve(base: Path, template: str) -> Path:
    return (base / expr(template).replace("${path.module}/", "")).resolve()


def test_the_stack_reads_the_exports_and_the_schemas() -> None:
    stack = module("stack")
    base = MODULES / "stack"
    for local, export in [
        ("manifest", "manifest.json"),
        ("tables", "tables.json"),
        ("websocket_routes", "websocket_routes.json"),
        ("functions", "functions.json"),
    ]:
        match = re.fullmatch(r'\$\{jsondecode\(file\("(.+)"\)\)\}', stack.locals[local])
        assert match, stack.locals[local]
        assert resolve(base, match.group(1)) == TERRAFORM / export
    assert resolve(base, stack.locals["schemas_dir"]) == ROOT / "contracts" / "schemas" / "events"


def test_the_schema_registry_covers_every_schema_file() -> None:
    bus = module("bus")
    schema = bus.resource("aws_schemas_schema", "this")
    assert expr(schema["for_each"]) == 'fileset(var.schemas_dir, "*.json")'
    assert expr(schema["content"]) == 'file("${var.schemas_dir}/${each.value}")'
    assert schema["registry_name"] == "${aws_schemas_registry.this.name}"
    assert module("stack").modules["bus"]["schemas_dir"] == "${local.schemas_dir}"
    files = {p.stem for p in (ROOT / "contracts" / "schemas" / "events").glob("*.json")}
    assert files == set(EVENT_MODELS)
    assert bus.resource("aws_cloudwatch_event_archive", "this")["retention_days"] == "${var.archive_retention_days}"


# --- one agent module per manifest agent ---------------------------------------------------------------


def test_the_stack_instantiates_one_agent_module_per_manifest_agent() -> None:
    stack = module("stack")
    assert expr(stack.locals["agents"]) == "{for agent in local.manifest.agents : agent.name => agent}"
    agent = stack.modules["agent"]
    assert agent["source"] == "../agent"
    assert agent["for_each"] == "${local.agents}"
    assert agent["agent"] == "${each.value}"
    assert agent["table_arns"] == "${module.data.table_arns}"
    assert agent["bus_arn"] == "${module.bus.bus_arn}"
    assert len({a["name"] for a in AGENTS}) == len(AGENTS) == len(manifest().agents)


@pytest.mark.parametrize("agent", AGENTS, ids=[a["name"] for a in AGENTS])
def test_every_agent_gets_rules_queue_dlq_mapping_function_and_role(agent: dict) -> None:
    mod = module("agent")
    ctx = {"var": {"name_prefix": "aicc-dev-"}, "local": {"agent": agent}}

    queue = mod.resource("aws_sqs_queue", "queue")
    dlq = mod.resource("aws_sqs_queue", "dlq")
    assert render(queue["name"], ctx) == f"aicc-dev-{agent['name']}-queue"
    assert render(dlq["name"], ctx) == f"aicc-dev-{agent['name']}-dlq"
    assert queue["sqs_managed_sse_enabled"] is True and dlq["sqs_managed_sse_enabled"] is True
    assert "deadLetterTargetArn = aws_sqs_queue.dlq.arn" in queue["redrive_policy"]
    assert "maxReceiveCount = local.agent.max_receive_count" in queue["redrive_policy"]
    assert queue["visibility_timeout_seconds"] == "${local.agent.visibility_timeout_s}"

    # Rules: one per subscription, named and patterned by the manifest.
    assert expr(mod.locals["rules"]) == "{for sub in local.agent.consumes : sub.rule_name => sub}"
    assert agent["consumes"], f"{agent['name']} consumes nothing"
    rule = mod.resource("aws_cloudwatch_event_rule", "this")
    assert rule["for_each"] == "${local.rules}"
    assert rule["event_bus_name"] == "${var.bus_name}"
    assert rule["event_pattern"] == "${jsonencode(each.value.pattern)}"
    for sub in agent["consumes"]:
        assert render(rule["name"], {"each": {"value": sub}}) == sub["rule_name"] == f"{agent['name']}-{sub['name']}"
    target = mod.resource("aws_cloudwatch_event_target", "this")
    assert target["for_each"] == "${local.rules}"
    assert target["arn"] == "${aws_sqs_queue.queue.arn}"
    assert target["input_transformer"][0]["input_template"] == "<aws.events.event.json>"
    assert target["dead_letter_config"][0]["arn"] == "${aws_sqs_queue.dlq.arn}"
    policy = mod.data[("aws_iam_policy_document", "queue")]["statement"][0]
    assert policy["principals"][0]["identifiers"] == ["events.amazonaws.com"]
    assert "aws_cloudwatch_event_rule.this" in policy["condition"][0]["values"]

    # The function and its event-source mapping.
    function = mod.modules["function"]
    assert function["source"] == "../function"
    assert render(function["function_name"], ctx) == f"aicc-dev-{agent['name']}"
    assert render(function["handler"], ctx) == agent["handler"]
    assert function["memory_mb"] == "${var.sizing.memory_mb}"
    assert function["timeout_s"] == "${local.agent.timeout_s}"
    mapping = mod.resource("aws_lambda_event_source_mapping", "this")
    assert mapping["event_source_arn"] == "${aws_sqs_queue.queue.arn}"
    assert mapping["function_name"] == "${module.function.alias_arn}"
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["maximum_batching_window_in_seconds"] == "${local.agent.batching_window_s}"
    assert mapping["batch_size"] == "${local.agent.batch_size}"

    # Alarms on the DLQ depth and the oldest message.
    assert (
        mod.resource("aws_cloudwatch_metric_alarm", "dlq_depth")["metric_name"] == "ApproximateNumberOfMessagesVisible"
    )
    assert (
        mod.resource("aws_cloudwatch_metric_alarm", "oldest_message")["metric_name"] == "ApproximateAgeOfOldestMessage"
    )


def test_the_function_module_is_arm64_python312_traced_logged_alarmed() -> None:
    fn = module("function")
    lam = fn.resource("aws_lambda_function", "this")
    assert lam["architectures"] == ["arm64"]
    assert lam["runtime"] == "${var.runtime}"
    runtime = fn.variables["runtime"]["default"]
    assert re.fullmatch(r"python3\.(1[2-9]|[2-9]\d)", runtime), runtime
    assert lam["tracing_config"][0]["mode"] == "Active"
    assert lam["role"] == "${aws_iam_role.this.arn}"
    assert lam["handler"] == "${var.handler}"
    assert lam["memory_size"] == "${var.memory_mb}" and lam["timeout"] == "${var.timeout_s}"
    assert lam["reserved_concurrent_executions"] == "${var.reserved_concurrency}"
    assert lam["source_code_hash"] == "${filebase64sha256(var.code_zip)}"
    assert lam["layers"] == "${var.layers}"
    log_group = fn.resource("aws_cloudwatch_log_group", "this")
    assert log_group["retention_in_days"] == "${var.log_retention_days}"
    assert fn.locals["log_group_name"] == "/aws/lambda/${var.function_name}"
    assert fn.resource("aws_cloudwatch_metric_alarm", "errors")["metric_name"] == "Errors"
    assert fn.resource("aws_iam_role_policy", "this")["role"] == "${aws_iam_role.this.id}"


def test_agent_permissions_are_least_privilege() -> None:
    statements = module("agent").locals["statements"]
    # PutEvents only on the bus, only with the agent's own source.
    put = re.search(r'sid\s*=\s*"PublishOwnSourceOnly"(.*?)\}\]', statements, re.S)
    assert put, statements
    block = put.group(1)
    assert '["events:PutEvents"]' in block and "[var.bus_arn]" in block
    assert '"events:source"' in block and "[local.agent.source]" in block and '"StringEquals"' in block
    # Tables: exactly the agent's tables and their indexes.
    assert "table_arns = [for t in local.agent.tables : var.table_arns[t]]" in module("agent").text()
    assert 'concat(local.table_arns, [for arn in local.table_arns : "${arn}/index/*"])' in statements
    # The deadline goes to the aggregator's own deadline queue only; pushing needs ManageConnections on the stage.
    deadline = (
        '[{sid = "TurnDeadlineToOwnQueue", actions = ["sqs:SendMessage"], resources = aws_sqs_queue.deadlines[*].arn, '
        "conditions = []}] : s if local.agent.sends_to_own_queue]"
    )
    assert deadline in statements
    push = (
        '[{sid = "PushToConnections", actions = ["execute-api:ManageConnections"], '
        'resources = ["${var.websocket_execution_arn}/${var.websocket_stage}/*/@connections/*"], '
        "conditions = []}] : s if local.agent.pushes_to_connections]"
    )
    assert push in statements
    assert '"*"' not in statements
    env = module("agent").locals["environment"]
    assert (
        "{AICC_DEADLINE_QUEUE_URL = one(aws_sqs_queue.deadlines[*].url)} : k => v if local.agent.sends_to_own_queue"
        in env
    )
    assert "{AICC_CALLBACK_URL = var.callback_url} : k => v if local.agent.pushes_to_connections" in env


def test_manifest_flags_that_drive_permissions_are_where_the_handlers_need_them() -> None:
    by_name = {a["name"]: a for a in AGENTS}
    assert by_name["aggregator"]["sends_to_own_queue"] and by_name["aggregator"]["pushes_to_connections"]
    for agent in AGENTS:
        assert agent["source"] == f"aicc.{agent['name']}"


def test_every_env_var_the_handlers_read_is_set() -> None:
    common = module("stack").locals["common_environment"]
    for name in (
        "AICC_BUS_NAME",
        "AICC_TABLE_PREFIX",
        "AICC_TURN_DEADLINE_S",
        "AICC_AUTH_MODE",
        "AICC_COGNITO_USER_POOL_ID",
        "AICC_COGNITO_CLIENT_ID",
        "AICC_KNOWLEDGE_BUCKET",
        "AICC_KNOWLEDGE_PROVIDER",
        "AICC_KENDRA_INDEX_ID",
        "AICC_INTENT_PROVIDER",
        "AICC_BEDROCK_MODEL_ID",
        "AICC_SENTIMENT_PROVIDER",
        "POWERTOOLS_METRICS_NAMESPACE",
        "PYDANTIC_DISABLE_PLUGINS",
    ):
        assert name in common, name
    assert common["AICC_AUTH_MODE"] == "cognito"
    assert common["POWERTOOLS_METRICS_NAMESPACE"] == "aicc"
    assert "AICC_CALLBACK_URL" in module("websocket").modules["function"]["environment"]


# --- tables -------------------------------------------------------------------------------------------


def test_tables_are_built_from_the_export_with_pitr_sse_ttl_and_replicas() -> None:
    data = module("data")
    table = data.resource("aws_dynamodb_table", "this")
    assert "var.tables" in table["for_each"]
    assert table["name"] == "${var.table_prefix}${each.key}"
    assert table["hash_key"] == "${each.value.hash_key}" and table["range_key"] == "${each.value.range_key}"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    dynamics = {name: body for block in table["dynamic"] for name, body in block.items()}
    assert dynamics["attribute"]["for_each"] == "${each.value.attributes}"
    assert dynamics["global_secondary_index"]["for_each"] == "${each.value.indexes}"
    assert (
        dynamics["global_secondary_index"]["content"][0]["projection_type"]
        == "${global_secondary_index.value.projection}"
    )
    assert "each.value.ttl_attribute" in dynamics["ttl"]["for_each"]
    assert dynamics["replica"]["for_each"] == "${var.replica_regions}"
    assert table["point_in_time_recovery"][0]["enabled"] is True
    assert table["server_side_encryption"][0]["enabled"] is True
    assert module("stack").modules["data"]["tables"] == "${local.tables}"
    assert module("stack").locals["table_prefix"] == "${local.name}-"


# --- WebSocket API ------------------------------------------------------------------------------------


def test_websocket_api_routes_integrations_authorizer_stage() -> None:
    ws = module("websocket")
    api = ws.resource("aws_apigatewayv2_api", "this")
    assert api["protocol_type"] == "WEBSOCKET"
    assert api["route_selection_expression"] == "${var.routes.route_selection_expression}"
    assert ws.locals["routes"] == "${var.routes.routes}"
    assert module("stack").modules["websocket"]["routes"] == "${local.websocket_routes}"

    route = ws.resource("aws_apigatewayv2_route", "this")
    assert route["for_each"] == "${local.routes}"
    assert route["route_key"] == "${each.key}"
    assert route["authorization_type"] == '${each.key == "$connect" ? "CUSTOM" : "NONE"}'
    response = ws.resource("aws_apigatewayv2_route_response", "this")
    assert "if route.route_response" in response["for_each"]

    authorizer = ws.resource("aws_apigatewayv2_authorizer", "this")
    assert authorizer["authorizer_type"] == "REQUEST"
    assert authorizer["identity_sources"] == "${var.routes.authorizer.identity_sources}"

    integration = ws.resource("aws_apigatewayv2_integration", "this")
    assert integration["integration_type"] == "AWS_PROXY"

    stage = ws.resource("aws_apigatewayv2_stage", "this")
    settings = stage["default_route_settings"][0]
    assert settings["throttling_burst_limit"] == "${var.throttling_burst_limit}"
    assert settings["throttling_rate_limit"] == "${var.throttling_rate_limit}"
    assert stage["access_log_settings"][0]["destination_arn"] == "${aws_cloudwatch_log_group.access.arn}"
    assert ws.resource("aws_lambda_permission", "invoke")["principal"] == "apigateway.amazonaws.com"


def test_every_websocket_handler_has_its_permissions_listed() -> None:
    permissions = module("websocket").locals["permissions"]
    handlers = {r["handler"] for r in ROUTES["routes"].values()} | {ROUTES["authorizer"]["handler"]}
    assert {h.split(".")[1] for h in handlers} == set(permissions)
    ingress = json.dumps(permissions["ws_ingress"])
    assert "events:source" in ingress and "var.ingress_source" in ingress
    assert module("stack").modules["websocket"]["ingress_source"] == "aicc.ingress"


def test_every_handler_terraform_names_exists() -> None:
    text = "\n".join(p.read_text() for p in TF_FILES)
    named = set(re.findall(r"\bhandlers\.[a-z_]+\.[a-z_]+\b", text))
    named |= {a["handler"] for a in AGENTS}
    named |= {r["handler"] for r in ROUTES["routes"].values()} | {ROUTES["authorizer"]["handler"]}
    for dotted in sorted(named):
        module_name, _, attr = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module_name), attr)), dotted


# --- the rest of the product --------------------------------------------------------------------------


def test_shared_resources_exist() -> None:
    expected = {
        "bus": [
            "aws_cloudwatch_event_bus",
            "aws_cloudwatch_event_archive",
            "aws_schemas_registry",
            "aws_schemas_schema",
        ],
        "auth": ["aws_cognito_user_pool", "aws_cognito_user_pool_client", "aws_cognito_user_group"],
        "edge": ["aws_cloudfront_distribution", "aws_cloudfront_origin_access_control"],
        "bucket": [
            "aws_s3_bucket",
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
        ],
        "waf": ["aws_wafv2_web_acl"],
        "monitoring": ["aws_sns_topic", "aws_cloudwatch_dashboard", "aws_cloudwatch_metric_alarm"],
        "websocket": ["aws_apigatewayv2_api", "aws_apigatewayv2_authorizer", "aws_apigatewayv2_stage"],
    }
    for name, kinds in expected.items():
        present = {kind for kind, _ in module(name).resources}
        assert set(kinds) <= present, (name, set(kinds) - present)


def test_cognito_has_the_three_roles_and_dealer_id() -> None:
    auth = module("auth")
    groups = auth.variables["groups"]["default"]
    assert set(groups) == {"customer", "dealer", "oem_staff"}
    schemas = {s["name"] for s in auth.resource("aws_cognito_user_pool", "this")["schema"]}
    assert "dealer_id" in schemas
    client = auth.resource("aws_cognito_user_pool_client", "this")
    assert not any(a.startswith("custom:") for a in client["write_attributes"])


def test_waf_guards_cloudfront_and_cognito_not_the_websocket_api() -> None:
    assert module("edge").modules["waf"]["scope"] == "CLOUDFRONT"
    assert (
        module("edge").resource("aws_cloudfront_distribution", "web")["web_acl_id"]
        == "${var.waf ? module.waf[0].arn : null}"
    )
    assert module("auth").modules["waf"]["scope"] == "REGIONAL"
    assert (
        "aws_cognito_user_pool.this.arn"
        in module("auth").resource("aws_wafv2_web_acl_association", "this")["resource_arn"]
    )
    assert not module("websocket").resources_of("aws_wafv2_web_acl_association")


def test_dashboard_shows_turns_latency_errors_dlqs_and_degraded_share() -> None:
    text = module("monitoring").text()
    for needle in (
        '"Turns"',
        '"TurnLatency"',
        'stat = "p50"',
        'stat = "p95"',
        '"DegradedTurns"',
        '"Errors"',
        '"Duration"',
        '"ApproximateNumberOfMessagesVisible"',
        "var.dlq_names",
        "AgentLatency_",
    ):
        assert needle in text, needle
