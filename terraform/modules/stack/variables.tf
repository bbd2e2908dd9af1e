variable "environment" {
  description = "dev, prod, eu, ...: names are aicc-<environment>-* (tables: AICC_TABLE_PREFIX=aicc-<environment>-)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]{2,12}$", var.environment))
    error_message = "environment is 2-12 lowercase letters or digits."
  }
}

variable "code_zip" {
  description = "build/lambda/code.zip from scripts/package_lambda.py."
  type        = string
}

variable "layer_zip" {
  description = "build/lambda/layer.zip from scripts/package_lambda.py."
  type        = string
}

variable "lambda_runtime" {
  description = "python3.12 or newer; the layer must be built for the same version (package_lambda.py --python-version)."
  type        = string
  default     = "python3.12"
}

variable "reserved_concurrency" {
  description = "Agent name -> reserved concurrent executions (absent: unreserved pool)."
  type        = map(number)
  default     = {}
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency of each reply-path function (contracts/sizing.py), on its alias; those functions then run without SnapStart. 0: off, SnapStart serves their cold starts."
  type        = number
  default     = 0
  validation {
    condition     = var.provisioned_concurrency >= 0
    error_message = "provisioned_concurrency is 0 (off) or more."
  }
}

variable "maximum_concurrency" {
  description = "Agent name -> cap on concurrent invocations from its queue (2-1000)."
  type        = map(number)
  default     = {}
}

variable "turn_deadline_s" {
  description = "AICC_TURN_DEADLINE_S: the aggregator replies, degraded, when agents are not done by then."
  type        = number
  default     = 3
}

variable "staff_reply_timeout_s" {
  description = "AICC_STAFF_REPLY_TIMEOUT_S: a staff member who has not answered a customer's message by then loses the conversation to its queue, and the assistant answers (an SQS delay: at most 900)."
  type        = number
  default     = 90

  validation {
    condition     = var.staff_reply_timeout_s >= 1 && var.staff_reply_timeout_s <= 900
    error_message = "staff_reply_timeout_s is an SQS delay: 1 to 900 seconds."
  }
}

variable "archive_retention_days" {
  description = "Days the event archive keeps events for replay."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "create_tables" {
  description = "false for a DR stack: it uses the primary's global-table replicas."
  type        = bool
  default     = true
}

variable "replica_regions" {
  description = "Global-table replica regions (disaster recovery)."
  type        = list(string)
  default     = []
}

variable "allowed_replica_region_prefix" {
  description = "Data residency: every replica region must start with this (\"eu-\" for the EU)."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Tables and the user pool refuse deletion; buckets refuse to be destroyed non-empty."
  type        = bool
  default     = true
}

variable "websocket_stage" {
  type    = string
  default = "live"
}

variable "throttling_burst_limit" {
  type    = number
  default = 5000
}

variable "throttling_rate_limit" {
  type    = number
  default = 10000
}

variable "manage_apigateway_account" {
  description = "Set API Gateway's account-level CloudWatch logging role in this region (one owner per account and region)."
  type        = bool
  default     = true
}

variable "intent_provider" {
  description = "AICC_INTENT_PROVIDER: local or bedrock."
  type        = string
  default     = "local"
  validation {
    condition     = contains(["local", "bedrock"], var.intent_provider)
    error_message = "local or bedrock."
  }
}

variable "bedrock_model_id" {
  description = "AICC_BEDROCK_MODEL_ID (model or inference profile id)."
  type        = string
  default     = "anthropic.claude-3-haiku-20240307-v1:0"
}

variable "sentiment_provider" {
  description = "AICC_SENTIMENT_PROVIDER: local or comprehend."
  type        = string
  default     = "local"
  validation {
    condition     = contains(["local", "comprehend"], var.sentiment_provider)
    error_message = "local or comprehend."
  }
}

variable "knowledge_provider" {
  description = "AICC_KNOWLEDGE_PROVIDER: local or kendra."
  type        = string
  default     = "local"
  validation {
    condition     = contains(["local", "kendra"], var.knowledge_provider)
    error_message = "local or kendra."
  }
}

variable "kendra_index_id" {
  description = "AICC_KENDRA_INDEX_ID when knowledge_provider = kendra (an index over the knowledge bucket)."
  type        = string
  default     = null
}

variable "allow_self_signup" {
  type    = bool
  default = false
}

variable "web_callback_urls" {
  description = "OAuth callback and logout URLs besides <web_url>/signin.html and <alias>/signin.html (e.g. a local page for testing)."
  type        = list(string)
  default     = []
}

variable "web_aliases" {
  type    = list(string)
  default = []
}

variable "web_certificate_arn" {
  description = "ACM certificate (us-east-1) for web_aliases."
  type        = string
  default     = null
}

variable "waf" {
  description = "WAF on CloudFront and on the Cognito user pool (it cannot attach to WebSocket APIs)."
  type        = bool
  default     = true
}

variable "cdn_waf_logging" {
  description = "Log the CloudFront WAF (its logs live in us-east-1 and hold client IPs)."
  type        = bool
  default     = true
}

variable "chat_domain_name" {
  description = "Custom domain of the WebSocket endpoint (needs hosted_zone_id); null for the execute-api URL."
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  description = "Route 53 zone of chat_domain_name."
  type        = string
  default     = null
}

variable "alarm_emails" {
  type    = list(string)
  default = []
}

variable "oldest_message_age_threshold_s" {
  type    = number
  default = 60
}

variable "turn_latency_p95_threshold_ms" {
  type    = number
  default = 500
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "cognito_domain_prefix" {
  description = "Hosted UI domain prefix (<prefix>.auth.<region>.amazoncognito.com, unique in the region); null: aicc-<environment>-<account id>-<region>."
  type        = string
  default     = null
}

variable "http_throttling_burst_limit" {
  description = "Burst of the read-only HTTP API (the dashboard)."
  type        = number
  default     = 100
}

variable "http_throttling_rate_limit" {
  description = "Steady requests per second of the read-only HTTP API."
  type        = number
  default     = 50
}
