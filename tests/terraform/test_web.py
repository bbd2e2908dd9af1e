"""The web client on AWS: web/ in a private bucket behind CloudFront (origin access control), the strict
security headers, config.json, the Cognito hosted UI and the read-only HTTP API behind the same origin."""

from __future__ import annotations

import importlib
import json
import re

from tests.terraform.hcl import MODULES, ROOT, TERRAFORM, expr, module

WEB = ROOT / "web"
# The policy every page of the web client is served with, but for connect-src's hosts (docs/deploy.md).
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def csp_for(connect_src: list[str]) -> dict[str, str]:
    template = module("edge").locals["content_security_policy"]
    rendered = template.replace('${join(" ", var.connect_src)}', " ".join(connect_src))
    assert "${" not in rendered, template
    return dict(d.strip().split(" ", 1) for d in rendered.split(";"))


def test_web_bucket_is_private_and_read_by_this_distribution_only() -> None:
    edge = module("edge")
    web = edge.modules["web"]
    assert web["source"] == "../bucket"
    assert web["policy_documents"] == ["${data.aws_iam_policy_document.web.json}"]
    (statement,) = edge.data[("aws_iam_policy_document", "web")]["statement"]
    assert statement["actions"] == ["s3:GetObject"]
    assert statement["principals"][0]["identifiers"] == ["cloudfront.amazonaws.com"]
    (condition,) = statement["condition"]
    assert (condition["variable"], condition["values"]) == ("AWS:SourceArn", ["${aws_cloudfront_distribution.web.arn}"])
    # The bucket module: versioned, encrypted, public access blocked.
    bucket = module("bucket")
    block = bucket.resource("aws_s3_bucket_public_access_block", "this")
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls"))
    assert block["restrict_public_buckets"] is True
    versioning = bucket.resource("aws_s3_bucket_versioning", "this")
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    sse = bucket.resource("aws_s3_bucket_server_side_encryption_configuration", "this")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"

    oac = edge.resource("aws_cloudfront_origin_access_control", "web")
    assert (oac["signing_behavior"], oac["signing_protocol"]) == ("always", "sigv4")
    distribution = edge.resource("aws_cloudfront_distribution", "web")
    assert distribution["default_root_object"] == "index.html"
    (origin,) = distribution["origin"]
    assert origin["origin_access_control_id"] == "${aws_cloudfront_origin_access_control.web.id}"
    assert origin["domain_name"] == "${module.web.bucket_regional_domain_name}"
    default = distribution["default_cache_behavior"][0]
    assert default["viewer_protocol_policy"] == "redirect-to-https"
    assert default["response_headers_policy_id"] == "${aws_cloudfront_response_headers_policy.web.id}"


def test_security_headers_are_strict() -> None:
    policy = module("edge").resource("aws_cloudfront_response_headers_policy", "web")
    headers = policy["security_headers_config"][0]
    hsts = headers["strict_transport_security"][0]
    assert hsts["access_control_max_age_sec"] >= 31536000 and hsts["include_subdomains"] is True
    assert headers["content_type_options"][0]["override"] is True
    assert headers["frame_options"][0]["frame_option"] == "DENY"
    assert headers["referrer_policy"][0]["referrer_policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin-when-cross-origin",
    }
    csp = headers["content_security_policy"][0]
    assert csp["content_security_policy"] == "${local.content_security_policy}" and csp["override"] is True

    hosts = ["wss://abc123.execute-api.us-east-1.amazonaws.com", "https://aicc-dev-1.auth.us-east-1.amazoncognito.com"]
    directives = csp_for(hosts)
    assert directives.pop("connect-src") == "'self' " + " ".join(hosts)
    assert directives == CSP
    template = module("edge").locals["content_security_policy"]
    for loose in ("unsafe-inline", "unsafe-eval", "*", "wss:;", "https:;"):
        assert loose not in template, loose


def test_connect_src_names_the_stacks_own_apis() -> None:
    stack = module("stack")
    edge = stack.modules["edge"]
    # The WebSocket API's own origin (and the chat domain where one is set) and this region's hosted UI;
    # the HTTP API is this origin's /api/*, so 'self' covers it.
    assert expr(edge["connect_src"]) == (
        'concat(local.websocket_origins, ["https://${local.cognito_domain}.auth.${local.region}.amazoncognito.com"])'
    )
    assert "[module.websocket.origin]" in stack.locals["websocket_origins"]
    assert "wss://${var.chat_domain_name}" in stack.locals["websocket_origins"]
    origin = module("websocket").outputs["origin"]["value"]
    assert origin.startswith("wss://${aws_apigatewayv2_api.this.id}.execute-api.")
    assert (
        module("auth")
        .outputs["hosted_ui_url"]["value"]
        .endswith(
            '"https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${data.aws_region.current.name}.amazoncognito.com"}'
        )
    )
    assert stack.modules["auth"]["domain_prefix"] == "${local.cognito_domain}"

    # The HTTP API is the distribution's second origin, under its stage's path, never cached.
    assert edge["api"] == {"host": "${module.http_api.endpoint_host}", "stage": "${local.http_api_stage}"}
    assert stack.modules["http_api"]["stage_name"] == "${local.http_api_stage}"
    distribution = module("edge").resource("aws_cloudfront_distribution", "web")
    dynamics = {name: body for block in distribution["dynamic"] for name, body in block.items()}
    api_origin = dynamics["origin"]["content"][0]
    assert api_origin["origin_id"] == "api" and api_origin["domain_name"] == "${origin.value.host}"
    assert api_origin["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"
    behavior = dynamics["ordered_cache_behavior"]["content"][0]
    assert behavior["path_pattern"] == "/${ordered_cache_behavior.value.stage}/*"
    assert behavior["target_origin_id"] == "api"
    assert behavior["response_headers_policy_id"] == "${aws_cloudfront_response_headers_policy.web.id}"
    cache = module("edge").resource("aws_cloudfront_cache_policy", "api")
    assert cache["default_ttl"] == 0
    key = cache["parameters_in_cache_key_and_forwarded_to_origin"][0]
    assert key["headers_config"][0]["headers"][0]["items"] == ["Authorization"]
    assert key["query_strings_config"][0]["query_string_behavior"] == "all"


def test_every_file_of_web_is_uploaded_with_its_content_type() -> None:
    edge = module("edge")
    stack = module("stack")
    assert (MODULES / "stack" / expr(stack.locals["web_dir"]).replace("${path.module}/", "")).resolve() == WEB
    assert stack.modules["edge"]["web_dir"] == "${local.web_dir}"
    assert expr(edge.locals["web_files"]) == 'var.web_dir == null ? toset([]) : fileset(var.web_dir, "**")'
    upload = edge.resource("aws_s3_object", "web")
    assert upload["for_each"] == "${local.web_files}"
    assert upload["bucket"] == "${module.web.id}"
    assert upload["source"] == "${var.web_dir}/${each.value}"
    assert upload["etag"] == '${filemd5("${var.web_dir}/${each.value}")}'
    assert 'lower(reverse(split(".", each.value))[0])' in upload["content_type"]
    types = edge.locals["content_types"]
    assert types["html"].startswith("text/html") and types["js"].startswith("text/javascript")
    assert types["css"].startswith("text/css") and types["svg"] == "image/svg+xml"
    # Whatever web/ holds (pages, modules, styles, icons) gets its own type, never octet-stream.
    extensions = {p.suffix.lstrip(".").lower() for p in WEB.rglob("*") if p.is_file()}
    assert extensions <= set(types), extensions - set(types)


def test_config_json_says_where_the_apis_are_and_how_to_sign_in() -> None:
    stack = module("stack")
    config = stack.locals["web_config"]
    assert config == {
        "websocket_url": "${local.websocket_url}",
        "api_url": "${local.web_url}/${local.http_api_stage}",
        "auth": {
            "mode": "cognito",
            "domain": "${module.auth.hosted_ui_url}",
            "client_id": "${module.auth.client_id}",
            "redirect_uri": "${local.web_url}/signin.html",
            "logout_uri": "${local.web_url}/signin.html",
        },
    }
    assert stack.modules["edge"]["web_config"] == "${local.web_config}"
    assert "module.websocket.url" in stack.locals["websocket_url"]
    assert "module.edge.web_url" in stack.locals["web_url"]
    obj = module("edge").resource("aws_s3_object", "config")
    assert obj["key"] == "config.json" and obj["content"] == "${jsonencode(var.web_config)}"
    assert obj["content_type"] == "application/json" and obj["cache_control"] == "no-cache"
    # The embedded gateway's document has the same keys (aicc/embedded/gateway.py).
    embedded = {"websocket_url", "api_url", "auth"}
    assert set(config) == embedded


def test_cognito_hosted_ui_callbacks_are_the_cloudfront_url() -> None:
    stack = module("stack")
    assert expr(stack.locals["web_origins"]) == (
        'concat([module.edge.web_url], [for alias in var.web_aliases : "https://${alias}"])'
    )
    assert expr(stack.locals["signin_urls"]) == '[for origin in local.web_origins : "${origin}/signin.html"]'
    auth = stack.modules["auth"]
    assert auth["callback_urls"] == "${concat(local.signin_urls, var.web_callback_urls)}"
    assert auth["logout_urls"] == "${concat(local.signin_urls, var.web_callback_urls)}"
    assert module("edge").outputs["web_url"]["value"] == "https://${aws_cloudfront_distribution.web.domain_name}"

    cognito = module("auth")
    client = cognito.resource("aws_cognito_user_pool_client", "this")
    assert client["generate_secret"] is False  # public client: PKCE, no secret
    assert "ALLOW_REFRESH_TOKEN_AUTH" in client["explicit_auth_flows"]
    assert client["allowed_oauth_flows"] == '${length(var.callback_urls) > 0 ? ["code"] : null}'
    assert "openid" in client["allowed_oauth_scopes"]
    assert client["callback_urls"] == "${length(var.callback_urls) > 0 ? var.callback_urls : null}"
    assert client["logout_urls"] == "${length(var.logout_urls) > 0 ? var.logout_urls : null}"
    domain = cognito.resource("aws_cognito_user_pool_domain", "this")
    assert domain["domain"] == "${var.domain_prefix}"


def test_http_api_takes_cognito_jwts_and_routes_to_the_handlers() -> None:
    api_module = module("httpapi")
    api = api_module.resource("aws_apigatewayv2_api", "this")
    assert api["protocol_type"] == "HTTP"
    assert "cors_configuration" not in api  # same origin through CloudFront
    authorizer = api_module.resource("aws_apigatewayv2_authorizer", "jwt")
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["identity_sources"] == ["$request.header.Authorization"]
    jwt = authorizer["jwt_configuration"][0]
    assert (jwt["issuer"], jwt["audience"]) == ("${var.issuer}", "${var.audience}")
    http_api = module("stack").modules["http_api"]
    assert http_api["issuer"] == "${module.auth.issuer}"
    assert http_api["audience"] == ["${module.auth.client_id}"]
    assert http_api["routes"] == "${local.http_routes}"
    assert module("auth").outputs["issuer"]["value"] == "https://${aws_cognito_user_pool.this.endpoint}"

    route = api_module.resource("aws_apigatewayv2_route", "this")
    assert route["for_each"] == "${var.routes}"
    assert (route["authorization_type"], route["authorizer_id"]) == ("JWT", "${aws_apigatewayv2_authorizer.jwt.id}")
    integration = api_module.resource("aws_apigatewayv2_integration", "this")
    assert integration["payload_format_version"] == "2.0"
    assert integration["integration_uri"] == "${module.function[each.key].alias_invoke_arn}"
    permission = api_module.resource("aws_lambda_permission", "invoke")
    assert permission["qualifier"] == "${module.function[local.route_function[each.key]].alias_name}"
    assert permission["source_arn"].startswith("${aws_apigatewayv2_api.this.execution_arn}/${var.stage_name}/")
    stage = api_module.resource("aws_apigatewayv2_stage", "this")
    assert stage["access_log_settings"][0]["destination_arn"] == "${aws_cloudwatch_log_group.access.arn}"
    log_format = stage["access_log_settings"][0]["format"]
    assert "sourceIp" not in log_format and "$context.identity" not in log_format
    settings = stage["default_route_settings"][0]
    assert settings["throttling_rate_limit"] == "${var.throttling_rate_limit}"

    # The dashboard's route, to the handler that answers it; it reads only the daily counters.
    assert "http_routes.json" in module("stack").locals["http_routes"]
    routes = json.loads((TERRAFORM / "http_routes.json").read_text())["routes"]
    assert routes == {"GET /stats": {"handler": "handlers.http_stats.handler"}}
    (statement,) = http_api["permissions"]["http_stats"]
    assert statement["actions"] == ["dynamodb:GetItem"]
    assert statement["resources"] == ['${module.data.table_arns["analytics"]}']


def test_every_function_in_functions_json_has_its_handler() -> None:
    """Every row of sizing is deployed as handlers.<name>.handler, and that handler exists."""
    functions = json.loads((TERRAFORM / "functions.json").read_text())
    agents = {a["name"]: a["handler"] for a in json.loads((TERRAFORM / "manifest.json").read_text())["agents"]}
    routes = json.loads((TERRAFORM / "websocket_routes.json").read_text())
    named = {r["handler"] for r in json.loads((TERRAFORM / "http_routes.json").read_text())["routes"].values()}
    named |= {r["handler"] for r in routes["routes"].values()} | {routes["authorizer"]["handler"]}
    by_module = {h.split(".")[1]: h for h in named} | agents
    assert set(functions) == set(by_module)
    for name in functions:
        dotted = by_module[name]
        assert re.fullmatch(rf"handlers\.{name}\.handler", dotted), dotted
        module_name, _, attr = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module_name), attr)), dotted


def test_the_read_actions_may_only_read() -> None:
    permissions = module("websocket").locals["permissions"]
    read = json.dumps(permissions["ws_read"])
    for write in ("PutItem", "UpdateItem", "DeleteItem", "ManageConnections", "PutEvents"):
        assert write not in read, write
    table_read = module("websocket").locals["table_read"]
    assert set(table_read) == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"}
    assert "var.knowledge_statements" in read
    assert module("stack").modules["websocket"]["knowledge_statements"] == '${local.provider_statements["knowledge"]}'
