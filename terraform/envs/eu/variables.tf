variable "code_zip" {
  type    = string
  default = null
}

variable "layer_zip" {
  type    = string
  default = null
}

variable "replica_regions" {
  description = "EU regions only (e.g. [\"eu-central-1\"]); refused otherwise."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for r in var.replica_regions : startswith(r, "eu-")])
    error_message = "The eu environment replicates only to EU regions (eu-*)."
  }
}

variable "archive_retention_days" {
  type    = number
  default = 30
}

variable "reserved_concurrency" {
  type    = map(number)
  default = {}
}

variable "intent_provider" {
  type    = string
  default = "bedrock"
}

variable "bedrock_model_id" {
  description = "An EU cross-region inference profile (eu.*) keeps inference in the EU."
  type        = string
  default     = "eu.anthropic.claude-3-haiku-20240307-v1:0"
}

variable "sentiment_provider" {
  type    = string
  default = "comprehend"
}

variable "knowledge_provider" {
  type    = string
  default = "local"
}

variable "kendra_index_id" {
  type    = string
  default = null
}

variable "alarm_emails" {
  type    = list(string)
  default = []
}

variable "web_callback_urls" {
  type    = list(string)
  default = []
}
