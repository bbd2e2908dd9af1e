# eu: eu-west-1, and no personal data ever leaves the EU.
#
# - Tables replicate only to regions starting with "eu-" (a precondition on every table refuses
#   anything else); by default they do not replicate at all.
# - State, logs, buckets, Cognito and every function stay in eu-west-1. The CloudFront-scoped WAF
#   must be created in us-east-1 (its configuration, not data); its request logs, which hold client
#   IPs, are therefore off here.

terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }

  backend "s3" {
    key          = "aicc/eu/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

locals {
  build = "${path.root}/../../../build/lambda"
  tags  = { application = "aicc", environment = "eu" }
}

provider "aws" {
  region = "eu-west-1"
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

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment                   = "eu"
  code_zip                      = coalesce(var.code_zip, "${local.build}/code.zip")
  layer_zip                     = coalesce(var.layer_zip, "${local.build}/layer.zip")
  replica_regions               = var.replica_regions
  allowed_replica_region_prefix = "eu-"
  cdn_waf_logging               = false
  archive_retention_days        = var.archive_retention_days
  log_retention_days            = 90
  reserved_concurrency          = var.reserved_concurrency
  intent_provider               = var.intent_provider
  bedrock_model_id              = var.bedrock_model_id
  sentiment_provider            = var.sentiment_provider
  knowledge_provider            = var.knowledge_provider
  kendra_index_id               = var.kendra_index_id
  alarm_emails                  = var.alarm_emails
  web_callback_urls             = var.web_callback_urls
}
