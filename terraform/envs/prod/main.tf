# prod: the primary stack in us-east-1 and a warm DR stack in us-west-2.
#
# - Every table is a DynamoDB global table with a replica in us-west-2; the DR stack creates no
#   tables, its functions use the replicas (same names, AICC_TABLE_PREFIX=aicc-prod-).
# - The DR stack is the same module (bus, archive, schemas, rules, queues, functions, WebSocket API,
#   Cognito, buckets, alarms) deployed with the DR provider: idle until clients reach it.
# - With chat_domain_name + hosted_zone_id, Route 53 failover sends clients to the DR region when
#   the primary's API health alarm fires, or when force_failover = true (the manual switch).
#   Without a domain, failing over is handing clients the DR stack's websocket URL (docs/deploy.md).

terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }

  backend "s3" {
    key          = "aicc/prod/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}

locals {
  build = "${path.root}/../../../build/lambda"
  tags  = { application = "aicc", environment = "prod" }
}

provider "aws" {
  region = var.primary_region
  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "dr"
  region = var.dr_region
  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
  default_tags {
    tags = local.tags
  }
}

module "primary" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment             = "prod"
  code_zip                = coalesce(var.code_zip, "${local.build}/code.zip")
  layer_zip               = coalesce(var.layer_zip, "${local.build}/layer.zip")
  replica_regions         = [var.dr_region]
  archive_retention_days  = var.archive_retention_days
  log_retention_days      = 90
  reserved_concurrency    = var.reserved_concurrency
  provisioned_concurrency = var.provisioned_concurrency
  intent_provider         = var.intent_provider
  sentiment_provider      = var.sentiment_provider
  knowledge_provider      = var.knowledge_provider
  kendra_index_id         = var.kendra_index_id
  alarm_emails            = var.alarm_emails
  chat_domain_name        = var.chat_domain_name
  hosted_zone_id          = var.hosted_zone_id
  web_aliases             = var.web_aliases
  web_certificate_arn     = var.web_certificate_arn
  web_callback_urls       = var.web_callback_urls
}

module "dr" {
  source = "../../modules/stack"
  providers = {
    aws           = aws.dr
    aws.us_east_1 = aws.us_east_1
  }

  environment   = "prod"
  code_zip      = coalesce(var.code_zip, "${local.build}/code.zip")
  layer_zip     = coalesce(var.layer_zip, "${local.build}/layer.zip")
  create_tables = false # the primary's replicas
  # Idle until failover: SnapStart covers its cold starts, provisioned concurrency would bill for nothing.
  provisioned_concurrency = 0
  archive_retention_days  = var.archive_retention_days
  log_retention_days      = 90
  reserved_concurrency    = var.reserved_concurrency
  intent_provider         = var.intent_provider
  sentiment_provider      = var.sentiment_provider
  knowledge_provider      = var.knowledge_provider
  kendra_index_id         = var.dr_kendra_index_id
  alarm_emails            = var.alarm_emails
  chat_domain_name        = var.chat_domain_name
  hosted_zone_id          = var.hosted_zone_id
  web_callback_urls       = var.web_callback_urls
}

module "failover" {
  count  = var.chat_domain_name == null ? 0 : 1
  source = "../../modules/failover"

  hosted_zone_id            = var.hosted_zone_id
  domain_name               = var.chat_domain_name
  primary_region            = var.primary_region
  secondary_region          = var.dr_region
  primary_target            = module.primary.chat_domain_target
  secondary_target          = module.dr.chat_domain_target
  primary_health_alarm_name = module.primary.health_alarm_name
  force_failover            = var.force_failover
}
