# dev: one region, no replication, everything destroyable.
#
#   python scripts/package_lambda.py
#   terraform init -backend-config="bucket=<state bucket>"    (terraform/bootstrap creates it)
#   terraform apply

terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }

  # bucket comes from `-backend-config`; use_lockfile locks the state with an S3 object (Terraform >= 1.10).
  backend "s3" {
    key          = "aicc/dev/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { application = "aicc", environment = "dev" }
  }
}

# CloudFront-scoped WAF lives in us-east-1 whatever the stack's region.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
  default_tags {
    tags = { application = "aicc", environment = "dev" }
  }
}

locals {
  build = "${path.root}/../../../build/lambda"
}

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment               = "dev"
  code_zip                  = coalesce(var.code_zip, "${local.build}/code.zip")
  layer_zip                 = coalesce(var.layer_zip, "${local.build}/layer.zip")
  deletion_protection       = false
  archive_retention_days    = 7
  log_retention_days        = 14
  throttling_burst_limit    = 500
  throttling_rate_limit     = 1000
  manage_apigateway_account = var.manage_apigateway_account
  intent_provider           = var.intent_provider
  sentiment_provider        = var.sentiment_provider
  knowledge_provider        = var.knowledge_provider
  kendra_index_id           = var.kendra_index_id
  alarm_emails              = var.alarm_emails
}
