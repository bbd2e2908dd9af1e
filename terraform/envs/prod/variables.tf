variable "primary_region" {
  type    = string
  default = "us-east-1"
}

variable "dr_region" {
  type    = string
  default = "us-west-2"
}

variable "code_zip" {
  type    = string
  default = null
}

variable "layer_zip" {
  type    = string
  default = null
}

variable "archive_retention_days" {
  type    = number
  default = 90
}

variable "reserved_concurrency" {
  description = "Agent -> reserved concurrency (e.g. the aggregator, which every turn needs)."
  type        = map(number)
  default     = {}
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency of each reply-path function in the primary region, e.g. 2 (billed per hour, and it replaces SnapStart on those functions); 0 leaves SnapStart in charge of cold starts. The DR stack keeps 0 while idle."
  type        = number
  default     = 0
}

variable "intent_provider" {
  type    = string
  default = "bedrock"
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
  description = "Kendra index in the primary region."
  type        = string
  default     = null
}

variable "dr_kendra_index_id" {
  description = "Kendra index in the DR region (indexes are regional)."
  type        = string
  default     = null
}

variable "alarm_emails" {
  type    = list(string)
  default = []
}

variable "chat_domain_name" {
  description = "e.g. chat.example.com: enables Route 53 failover between the regions."
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  type    = string
  default = null
}

variable "force_failover" {
  description = "The manual switch: true sends clients to the DR region."
  type        = bool
  default     = false
}

variable "web_aliases" {
  type    = list(string)
  default = []
}

variable "web_certificate_arn" {
  type    = string
  default = null
}

variable "web_callback_urls" {
  type    = list(string)
  default = []
}
