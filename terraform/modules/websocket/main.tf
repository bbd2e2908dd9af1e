# The API Gateway v2 WebSocket API: routes and integrations from terraform/websocket_routes.json
# (contracts/frames.py), a REQUEST authorizer on $connect validating Cognito JWTs, a throttled stage
# with access logs, one Lambda per handler module.
#
# AWS WAF cannot be associated with WebSocket APIs; the stage's throttling and the authorizer are
# the front door here (WAF guards CloudFront and the Cognito user pool instead).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  routes = var.routes.routes

  # handlers.ws_ingress.handler -> ws_ingress: one function per handler module, shared by its routes.
  route_function = { for key, route in local.routes : key => split(".", route.handler)[1] }
  functions = {
    for handler in distinct(concat([for route in values(local.routes) : route.handler], [var.routes.authorizer.handler])) :
    split(".", handler)[1] => handler
  }
  authorizer_function = split(".", var.routes.authorizer.handler)[1]

  execution_arn = aws_apigatewayv2_api.this.execution_arn
  callback_url  = "https://${aws_apigatewayv2_api.this.id}.execute-api.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}/${var.stage_name}"

  table_rw = [
    "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
    "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
  ]
  table_read  = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
  read_tables = ["conversations", "analytics", "customers", "appointments"]
  push = {
    sid        = "PushToConnections"
    actions    = ["execute-api:ManageConnections"]
    resources  = ["${local.execution_arn}/${var.stage_name}/*/@connections/*"]
    conditions = []
  }

  # What each handler module touches (handlers/ws_*.py); anything not listed gets logs and X-Ray only.
  permissions = {
    ws_authorizer = []
    ws_connect = [{
      sid        = "RecordConnection"
      actions    = ["dynamodb:PutItem"]
      resources  = [var.table_arns["connections"]]
      conditions = []
    }]
    ws_disconnect = [{
      sid        = "ForgetConnection"
      actions    = ["dynamodb:DeleteItem"]
      resources  = [var.table_arns["connections"]]
      conditions = []
    }]
    ws_ingress = [
      {
        sid        = "ConversationsAndConnections"
        actions    = local.table_rw
        resources  = [for t in ["conversations", "connections"] : var.table_arns[t]]
        conditions = []
      },
      {
        sid        = "ConnectionsByUser"
        actions    = ["dynamodb:Query"]
        resources  = ["${var.table_arns["connections"]}/index/*", "${var.table_arns["conversations"]}/index/*"]
        conditions = []
      },
      {
        # Each turn's deadline (aicc.agents.overload), on the aggregator's deadline queue.
        sid        = "ScheduleTurnDeadlines"
        actions    = ["sqs:SendMessage"]
        resources  = [var.deadline_queue.arn]
        conditions = []
      },
      {
        sid       = "PublishIngressSourceOnly"
        actions   = ["events:PutEvents"]
        resources = [var.bus_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "events:source"
          values   = [var.ingress_source]
        }]
      },
      local.push,
    ]
    # Reads only: the transcript (conversations, the event log on the analytics table), the customer
    # panel (customers, their appointments) and the assist (the knowledge retrieval the knowledge agent
    # uses: in the code zip, or Kendra where that provider is selected).
    ws_read = concat([
      {
        sid        = "ReadConversationCustomerAppointments"
        actions    = local.table_read
        resources  = [for t in local.read_tables : var.table_arns[t]]
        conditions = []
      },
      {
        sid        = "ReadIndexes"
        actions    = ["dynamodb:Query"]
        resources  = [for t in local.read_tables : "${var.table_arns[t]}/index/*"]
        conditions = []
      },
    ], var.knowledge_statements)
    ws_staff = [
      {
        sid        = "ConversationsAndConnections"
        actions    = local.table_rw
        resources  = [for t in ["conversations", "connections"] : var.table_arns[t]]
        conditions = []
      },
      {
        sid        = "QueueAndConnectionsByUser"
        actions    = ["dynamodb:Query"]
        resources  = ["${var.table_arns["connections"]}/index/*", "${var.table_arns["conversations"]}/index/*"]
        conditions = []
      },
      local.push,
    ]
  }
}

resource "aws_apigatewayv2_api" "this" {
  name                       = "${var.name}-ws"
  description                = "aicc chat (docs/protocol.md): route on $request.body.action"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = var.routes.route_selection_expression
  tags                       = var.tags
}

module "function" {
  source   = "../function"
  for_each = local.functions

  function_name = "${var.name}-${replace(each.key, "_", "-")}"
  description   = "aicc WebSocket ${each.key}"
  handler       = each.value
  runtime       = var.runtime
  # contracts/sizing.py, through the stack: memory, SnapStart, provisioned concurrency.
  memory_mb               = var.sizing[each.key].memory_mb
  snap_start              = var.sizing[each.key].snap_start
  provisioned_concurrency = var.sizing[each.key].provisioned_concurrency
  timeout_s               = var.timeout_s
  code_zip                = var.code_zip
  layers                  = var.layers
  policy_statements       = lookup(local.permissions, each.key, [])
  log_retention_days      = var.log_retention_days
  alarm_actions           = var.alarm_actions
  tags                    = var.tags
  environment = merge(var.environment, {
    POWERTOOLS_SERVICE_NAME = replace(each.key, "_", "-")
    AICC_CALLBACK_URL       = local.callback_url
  }, each.key == "ws_ingress" ? { AICC_DEADLINE_QUEUE_URL = var.deadline_queue.url } : {})
}

resource "aws_lambda_permission" "invoke" {
  for_each      = local.functions
  statement_id  = "AllowWebSocketApi"
  action        = "lambda:InvokeFunction"
  function_name = module.function[each.key].function_name
  qualifier     = module.function[each.key].alias_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = each.key == local.authorizer_function ? "${local.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.this.id}" : "${local.execution_arn}/${var.stage_name}/*"
}

resource "aws_apigatewayv2_authorizer" "this" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-jwt"
  authorizer_type  = "REQUEST"
  authorizer_uri   = module.function[local.authorizer_function].alias_invoke_arn
  identity_sources = var.routes.authorizer.identity_sources
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = { for name, _ in local.functions : name => name if name != local.authorizer_function }

  api_id                    = aws_apigatewayv2_api.this.id
  description               = "Lambda ${each.key}"
  integration_type          = "AWS_PROXY"
  integration_method        = "POST"
  integration_uri           = module.function[each.key].alias_invoke_arn
  content_handling_strategy = "CONVERT_TO_TEXT"
  passthrough_behavior      = "WHEN_NO_MATCH"
}

resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:Only $connect can carry an authorizer on a WebSocket API; every later route runs on the connection $connect authorised and reads its identity from the authorizer context.
  for_each = local.routes

  api_id                              = aws_apigatewayv2_api.this.id
  route_key                           = each.key
  target                              = "integrations/${aws_apigatewayv2_integration.this[local.route_function[each.key]].id}"
  authorization_type                  = each.key == "$connect" ? "CUSTOM" : "NONE"
  authorizer_id                       = each.key == "$connect" ? aws_apigatewayv2_authorizer.this.id : null
  route_response_selection_expression = each.value.route_response ? "$default" : null
}

# Two-way routes: the handler's return value (an ack, a reply or an error frame) goes back on the socket.
resource "aws_apigatewayv2_route_response" "this" {
  for_each = { for key, route in local.routes : key => route if route.route_response }

  api_id             = aws_apigatewayv2_api.this.id
  route_id           = aws_apigatewayv2_route.this[each.key].id
  route_response_key = "$default"
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:Access logs carry request ids, routes and statuses only (no IPs, no bodies); CloudWatch Logs encrypts them at rest.
  name              = "/aws/apigateway/${var.name}-ws/${var.stage_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  #checkov:skip=CKV2_AWS_51:Clients are browsers and the CLI, authenticated by Cognito JWTs at $connect; API Gateway WebSocket APIs offer no client-certificate (mTLS) authentication.
  api_id      = aws_apigatewayv2_api.this.id
  name        = var.stage_name
  description = "aicc chat"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit   = var.throttling_burst_limit
    throttling_rate_limit    = var.throttling_rate_limit
    logging_level            = "ERROR"
    data_trace_enabled       = false # frames hold customer text: never log bodies
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    # No source IP and no body: personal data stays out of logs.
    format = jsonencode({
      requestId          = "$context.requestId"
      connectionId       = "$context.connectionId"
      routeKey           = "$context.routeKey"
      eventType          = "$context.eventType"
      status             = "$context.status"
      requestTime        = "$context.requestTimeEpoch"
      integrationLatency = "$context.integrationLatency"
      integrationStatus  = "$context.integration.status"
      integrationError   = "$context.integration.error"
      authorizerError    = "$context.authorizer.error"
      error              = "$context.error.message"
    })
  }

  tags = var.tags

  depends_on = [aws_api_gateway_account.this]
}

# Execution and access logging of API Gateway (REST and WebSocket) need the account-level
# CloudWatch role; it is one setting per account and region.
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_logs" {
  count              = var.manage_account_logging_role ? 1 : 0
  name               = "${var.name}-apigateway-logs-${data.aws_region.current.name}"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "apigateway_logs" {
  count      = var.manage_account_logging_role ? 1 : 0
  role       = aws_iam_role.apigateway_logs[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_account_logging_role ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.apigateway_logs[0].arn
  depends_on          = [aws_iam_role_policy_attachment.apigateway_logs]
}

# --- optional custom domain (Route 53 failover points at it in each region) -----------------------

resource "aws_apigatewayv2_domain_name" "this" {
  count       = var.domain_name == null ? 0 : 1
  domain_name = var.domain_name

  domain_name_configuration {
    certificate_arn = var.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }

  tags = var.tags
}

resource "aws_apigatewayv2_api_mapping" "this" {
  count       = var.domain_name == null ? 0 : 1
  api_id      = aws_apigatewayv2_api.this.id
  domain_name = aws_apigatewayv2_domain_name.this[0].id
  stage       = aws_apigatewayv2_stage.this.id
}
