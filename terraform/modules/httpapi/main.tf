# The read-only HTTP API of the web client (the dashboard's GET /stats): API Gateway v2 HTTP API,
# a JWT authorizer trusting the Cognito user pool's ID tokens (issuer = the pool, audience = the app
# client), one Lambda per handler module, a throttled stage with access logs.
#
# CloudFront serves it under /<stage>/* of the web client's own origin (modules/edge), so the browser
# calls it same-origin: no CORS, and the CSP's connect-src needs no extra host for it.
#
# Roles: a JWT authorizer can require OAuth scopes, but Cognito grants scopes per app client, not per
# group, and ID tokens carry none; the group check (oem_staff) is the handler's (handlers/http_stats.py
# reads cognito:groups from the claims the authorizer validated).

data "aws_region" "current" {}

locals {
  # handlers.http_stats.handler -> http_stats: one function per handler module, shared by its routes.
  functions      = { for handler in distinct(values(var.routes)) : split(".", handler)[1] => handler }
  route_function = { for key, handler in var.routes : key => split(".", handler)[1] }
}

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.name}-http"
  description   = "aicc read-only API of the web client (docs/deploy.md)"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.issuer
    audience = var.audience
  }
}

module "function" {
  source   = "../function"
  for_each = local.functions

  function_name = "${var.name}-${replace(each.key, "_", "-")}"
  description   = "aicc HTTP API ${each.key}"
  handler       = each.value
  runtime       = var.runtime
  # contracts/sizing.py, through the stack: memory, SnapStart, provisioned concurrency.
  memory_mb               = var.sizing[each.key].memory_mb
  snap_start              = var.sizing[each.key].snap_start
  provisioned_concurrency = var.sizing[each.key].provisioned_concurrency
  timeout_s               = var.timeout_s
  code_zip                = var.code_zip
  layers                  = var.layers
  policy_statements       = lookup(var.permissions, each.key, [])
  log_retention_days      = var.log_retention_days
  alarm_actions           = var.alarm_actions
  tags                    = var.tags
  environment = merge(var.environment, {
    POWERTOOLS_SERVICE_NAME = replace(each.key, "_", "-")
  })
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = local.functions

  api_id                 = aws_apigatewayv2_api.this.id
  description            = "Lambda ${each.key}"
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = module.function[each.key].alias_invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = var.timeout_s * 1000
}

resource "aws_apigatewayv2_route" "this" {
  for_each = var.routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this[local.route_function[each.key]].id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt.id
}

resource "aws_lambda_permission" "invoke" {
  for_each      = var.routes
  statement_id  = "AllowHttpApi-${replace(replace(each.key, " ", "-"), "/", "_")}"
  action        = "lambda:InvokeFunction"
  function_name = module.function[local.route_function[each.key]].function_name
  qualifier     = module.function[local.route_function[each.key]].alias_name
  principal     = "apigateway.amazonaws.com"
  # execute-api ARN: <api>/<stage>/<method>/<path>; only this route of this API's stage.
  source_arn = "${aws_apigatewayv2_api.this.execution_arn}/${var.stage_name}/${split(" ", each.key)[0]}${split(" ", each.key)[1]}"
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:Access logs carry request ids, routes and statuses only (no IPs, no bodies); CloudWatch Logs encrypts them at rest.
  name              = "/aws/apigateway/${var.name}-http/${var.stage_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  #checkov:skip=CKV2_AWS_51:Clients are browsers with Cognito JWTs, behind CloudFront; HTTP APIs offer mTLS only on custom domains, which browsers cannot present certificates to.
  api_id      = aws_apigatewayv2_api.this.id
  name        = var.stage_name
  description = "aicc read-only API"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit   = var.throttling_burst_limit
    throttling_rate_limit    = var.throttling_rate_limit
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    # No source IP, no user, no body: personal data stays out of logs.
    format = jsonencode({
      requestId          = "$context.requestId"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      requestTime        = "$context.requestTimeEpoch"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      integrationStatus  = "$context.integrationStatus"
      integrationError   = "$context.integrationErrorMessage"
      authorizerError    = "$context.authorizer.error"
      error              = "$context.error.message"
    })
  }

  tags = var.tags
}
