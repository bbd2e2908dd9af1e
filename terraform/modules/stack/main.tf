# One whole aicc deployment in one region, derived from the exports in terraform/:
#   manifest.json          (contracts/manifest.py)  -> one modules/agent per agent, for_each
#   tables.json            (aicc/runtime/tables.py) -> modules/data
#   websocket_routes.json  (contracts/frames.py)    -> modules/websocket
#   http_routes.json       (contracts/http.py)      -> modules/httpapi
#   functions.json         (contracts/sizing.py)    -> every function's memory, SnapStart, provisioned concurrency
# and the event schemas in contracts/schemas/events -> the Schema Registry; the files of web/ -> the
# web bucket behind CloudFront, with a generated config.json.
# envs/{dev,prod,eu} compose it; prod composes it twice (primary + DR region).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  manifest         = jsondecode(file("${path.module}/../../manifest.json"))
  tables           = jsondecode(file("${path.module}/../../tables.json"))
  websocket_routes = jsondecode(file("${path.module}/../../websocket_routes.json"))
  functions        = jsondecode(file("${path.module}/../../functions.json"))
  schemas_dir      = "${path.module}/../../../contracts/schemas/events"
  web_dir          = "${path.module}/../../../web"

  # The read-only HTTP API of the web client (handlers/http_stats.py), served by CloudFront at
  # <web_url>/<http_api_stage>/...: the dashboard's figures, oem_staff only.
  http_api_stage = "api"
  http_routes    = { for key, route in jsondecode(file("${path.module}/../../http_routes.json")).routes : key => route.handler }

  # Where the pages live and where the hosted UI sends users back: the distribution's own URL and
  # any custom domain of it.
  web_origins       = concat([module.edge.web_url], [for alias in var.web_aliases : "https://${alias}"])
  signin_urls       = [for origin in local.web_origins : "${origin}/signin.html"]
  web_url           = length(var.web_aliases) == 0 ? module.edge.web_url : "https://${var.web_aliases[0]}"
  websocket_url     = var.chat_domain_name == null ? module.websocket.url : "wss://${var.chat_domain_name}/"
  websocket_origins = distinct(concat([module.websocket.origin], var.chat_domain_name == null ? [] : ["wss://${var.chat_domain_name}"]))
  cognito_domain    = coalesce(var.cognito_domain_prefix, "${local.name}-${local.account_id}-${local.region}")

  # GET /config.json: what the pages need to find the APIs and sign in (docs/deploy.md).
  web_config = {
    websocket_url = local.websocket_url
    api_url       = "${local.web_url}/${local.http_api_stage}"
    auth = {
      mode         = "cognito"
      domain       = module.auth.hosted_ui_url
      client_id    = module.auth.client_id
      redirect_uri = "${local.web_url}/signin.html"
      logout_uri   = "${local.web_url}/signin.html"
    }
  }

  agents = { for agent in local.manifest.agents : agent.name => agent }

  # One row per function (agents by name, WebSocket handlers by module): the reply path gets SnapStart,
  # or, where var.provisioned_concurrency is set, provisioned concurrency instead (a version has one or
  # the other); everything else starts cold from its published version.
  function_sizing = {
    for name, fn in local.functions : name => {
      memory_mb               = fn.memory_mb
      snap_start              = fn.reply_path && var.provisioned_concurrency == 0
      provisioned_concurrency = fn.reply_path ? var.provisioned_concurrency : 0
    }
  }

  name        = "aicc-${var.environment}"
  name_prefix = "${local.name}-"
  # The aggregator's deadline queue (modules/agent), by name: the agents depend on the websocket module.
  deadline_queue = {
    url = "https://sqs.${local.region}.amazonaws.com/${local.account_id}/${local.name_prefix}aggregator-deadlines"
    arn = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.name_prefix}aggregator-deadlines"
  }
  table_prefix = "${local.name}-"
  bus_name     = local.name

  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  tags = merge(var.tags, { application = "aicc", environment = var.environment })

  # What every function reads (aicc/runtime, handlers/).
  common_environment = {
    AICC_BUS_NAME                = module.bus.bus_name
    AICC_TABLE_PREFIX            = local.table_prefix
    AICC_TURN_DEADLINE_S         = tostring(var.turn_deadline_s)
    AICC_STAFF_REPLY_TIMEOUT_S   = tostring(var.staff_reply_timeout_s)
    AICC_AUTH_MODE               = "cognito"
    AICC_COGNITO_USER_POOL_ID    = module.auth.user_pool_id
    AICC_COGNITO_CLIENT_ID       = module.auth.client_id
    AICC_KNOWLEDGE_BUCKET        = module.edge.knowledge_bucket
    AICC_KNOWLEDGE_PROVIDER      = var.knowledge_provider
    AICC_KENDRA_INDEX_ID         = var.kendra_index_id == null ? "" : var.kendra_index_id
    AICC_INTENT_PROVIDER         = var.intent_provider
    AICC_BEDROCK_MODEL_ID        = var.bedrock_model_id
    AICC_SENTIMENT_PROVIDER      = var.sentiment_provider
    POWERTOOLS_METRICS_NAMESPACE = "aicc"
    PYDANTIC_DISABLE_PLUGINS     = "__all__"
  }

  # A cross-region inference profile id (us.*, eu.*, apac.*) invokes the foundation model without the prefix.
  bedrock_foundation_model = replace(var.bedrock_model_id, "/^(us|eu|apac|global)\\./", "")

  # The production AI providers, each granted only to the agent that calls it and only when selected.
  provider_statements = {
    intent = [for s in [{
      sid     = "BedrockIntent"
      actions = ["bedrock:InvokeModel"]
      resources = [
        "arn:${local.partition}:bedrock:*::foundation-model/${local.bedrock_foundation_model}",
        "arn:${local.partition}:bedrock:*:${local.account_id}:inference-profile/${var.bedrock_model_id}",
      ]
      conditions = []
    }] : s if var.intent_provider == "bedrock"]
    # Comprehend's real-time DetectSentiment has no resource-level permissions.
    sentiment = [for s in [{
      sid        = "ComprehendSentiment"
      actions    = ["comprehend:DetectSentiment"]
      resources  = ["*"]
      conditions = []
    }] : s if var.sentiment_provider == "comprehend"]
    knowledge = [for s in [{
      sid        = "KendraRetrieve"
      actions    = ["kendra:Retrieve"]
      resources  = ["arn:${local.partition}:kendra:${local.region}:${local.account_id}:index/${coalesce(var.kendra_index_id, "unset")}"]
      conditions = []
    }] : s if var.knowledge_provider == "kendra"]
  }
}

# --- artifacts (scripts/package_lambda.py) --------------------------------------------------------

resource "aws_lambda_layer_version" "deps" {
  layer_name               = "${local.name}-deps"
  description              = "aicc runtime dependencies (pyproject.toml) for ${var.lambda_runtime} arm64"
  filename                 = var.layer_zip
  source_code_hash         = filebase64sha256(var.layer_zip)
  compatible_runtimes      = [var.lambda_runtime]
  compatible_architectures = ["arm64"]
}

# --- shared ---------------------------------------------------------------------------------------

module "monitoring" {
  source = "../monitoring"

  name                          = local.name
  alarm_emails                  = var.alarm_emails
  agent_functions               = { for name, agent in module.agent : name => agent.function_name }
  queue_names                   = { for name, agent in module.agent : name => agent.queue_name }
  dlq_names                     = { for name, agent in module.agent : name => agent.dlq_name }
  api_id                        = module.websocket.api_id
  stage_name                    = module.websocket.stage_name
  turn_latency_p95_threshold_ms = var.turn_latency_p95_threshold_ms
  tags                          = local.tags
}

module "bus" {
  source = "../bus"

  bus_name               = local.bus_name
  archive_retention_days = var.archive_retention_days
  schemas_dir            = local.schemas_dir
  tags                   = local.tags
}

module "data" {
  source = "../data"

  tables                        = local.tables
  table_prefix                  = local.table_prefix
  create                        = var.create_tables
  replica_regions               = var.replica_regions
  allowed_replica_region_prefix = var.allowed_replica_region_prefix
  deletion_protection           = var.deletion_protection
  tags                          = local.tags
}

module "auth" {
  source = "../auth"

  name                = local.name
  allow_self_signup   = var.allow_self_signup
  callback_urls       = concat(local.signin_urls, var.web_callback_urls)
  logout_urls         = concat(local.signin_urls, var.web_callback_urls)
  domain_prefix       = local.cognito_domain
  deletion_protection = var.deletion_protection
  waf                 = var.waf
  waf_logging         = true # regional: logs stay in this region
  log_retention_days  = var.log_retention_days
  tags                = local.tags
}

module "edge" {
  source = "../edge"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name               = local.name
  force_destroy      = !var.deletion_protection
  aliases            = var.web_aliases
  certificate_arn    = var.web_certificate_arn
  waf                = var.waf
  waf_logging        = var.cdn_waf_logging
  log_retention_days = var.log_retention_days
  tags               = local.tags

  # The pages may connect to this origin (config.json, the HTTP API), the WebSocket API and Cognito.
  connect_src = concat(local.websocket_origins, ["https://${local.cognito_domain}.auth.${local.region}.amazoncognito.com"])
  api = {
    host  = module.http_api.endpoint_host
    stage = local.http_api_stage
  }
  web_dir    = local.web_dir
  web_config = local.web_config
}

module "http_api" {
  source = "../httpapi"

  name       = local.name
  routes     = local.http_routes
  stage_name = local.http_api_stage
  issuer     = module.auth.issuer
  audience   = [module.auth.client_id]
  sizing     = local.function_sizing
  permissions = {
    http_stats = [{
      sid        = "ReadDailyCounters"
      actions    = ["dynamodb:GetItem"]
      resources  = [module.data.table_arns["analytics"]]
      conditions = []
    }]
  }
  throttling_burst_limit = var.http_throttling_burst_limit
  throttling_rate_limit  = var.http_throttling_rate_limit
  environment            = local.common_environment
  runtime                = var.lambda_runtime
  code_zip               = var.code_zip
  layers                 = [aws_lambda_layer_version.deps.arn]
  log_retention_days     = var.log_retention_days
  alarm_actions          = [module.monitoring.alarm_topic_arn]
  tags                   = local.tags
}

module "websocket" {
  source = "../websocket"

  name                        = local.name
  routes                      = local.websocket_routes
  sizing                      = local.function_sizing
  stage_name                  = var.websocket_stage
  throttling_burst_limit      = var.throttling_burst_limit
  throttling_rate_limit       = var.throttling_rate_limit
  bus_arn                     = module.bus.bus_arn
  ingress_source              = "aicc.ingress"
  deadline_queue              = local.deadline_queue
  knowledge_statements        = local.provider_statements["knowledge"]
  table_arns                  = module.data.table_arns
  environment                 = local.common_environment
  runtime                     = var.lambda_runtime
  code_zip                    = var.code_zip
  layers                      = [aws_lambda_layer_version.deps.arn]
  log_retention_days          = var.log_retention_days
  alarm_actions               = [module.monitoring.alarm_topic_arn]
  manage_account_logging_role = var.manage_apigateway_account
  domain_name                 = var.chat_domain_name
  certificate_arn             = var.chat_domain_name == null ? null : aws_acm_certificate_validation.chat[0].certificate_arn
  tags                        = local.tags
}

# --- the agents: one module instance per agent of the manifest ------------------------------------

module "agent" {
  source   = "../agent"
  for_each = local.agents

  agent                          = each.value
  sizing                         = local.function_sizing[each.key]
  name_prefix                    = local.name_prefix
  bus_name                       = module.bus.bus_name
  bus_arn                        = module.bus.bus_arn
  table_arns                     = module.data.table_arns
  websocket_execution_arn        = module.websocket.execution_arn
  websocket_stage                = module.websocket.stage_name
  callback_url                   = module.websocket.callback_url
  environment                    = local.common_environment
  extra_policy_statements        = lookup(local.provider_statements, each.key, [])
  runtime                        = var.lambda_runtime
  reserved_concurrency           = lookup(var.reserved_concurrency, each.key, -1)
  maximum_concurrency            = lookup(var.maximum_concurrency, each.key, null)
  code_zip                       = var.code_zip
  layers                         = [aws_lambda_layer_version.deps.arn]
  log_retention_days             = var.log_retention_days
  oldest_message_age_threshold_s = var.oldest_message_age_threshold_s
  alarm_actions                  = [module.monitoring.alarm_topic_arn]
  tags                           = local.tags
}

# --- optional custom chat domain (for Route 53 failover between regions) --------------------------

resource "aws_acm_certificate" "chat" {
  count             = var.chat_domain_name == null ? 0 : 1
  domain_name       = var.chat_domain_name
  validation_method = "DNS"
  tags              = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "chat_validation" {
  for_each = {
    for option in flatten([for cert in aws_acm_certificate.chat : cert.domain_validation_options]) :
    option.domain_name => option
  }
  zone_id         = var.hosted_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true # the primary's and the DR region's certificates share the record
}

resource "aws_acm_certificate_validation" "chat" {
  count                   = var.chat_domain_name == null ? 0 : 1
  certificate_arn         = aws_acm_certificate.chat[0].arn
  validation_record_fqdns = [for record in aws_route53_record.chat_validation : record.fqdn]
}
