variable "name" {
  type = string
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets (dev only)."
  type        = bool
  default     = false
}

variable "noncurrent_version_days" {
  type    = number
  default = 90
}

variable "access_log_retention_days" {
  type    = number
  default = 90
}

variable "price_class" {
  type    = string
  default = "PriceClass_100"
}

variable "aliases" {
  description = "Custom domain names of the web client (need certificate_arn)."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 for aliases; null for the default CloudFront certificate."
  type        = string
  default     = null
}

variable "geo_allow" {
  description = "ISO country codes allowed to load the web client; empty allows all."
  type        = list(string)
  default     = []
}

variable "waf" {
  type    = bool
  default = true
}

variable "waf_rate_limit_per_5_minutes" {
  type    = number
  default = 2000
}

variable "waf_logging" {
  description = "CloudFront-scope WAF logs live in us-east-1 and hold client IPs: false for EU data residency."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "connect_src" {
  description = "Origins besides 'self' the pages may connect to: the WebSocket API (wss://...) and the Cognito hosted UI (https://...)."
  type        = list(string)
  default     = []
}

variable "api" {
  description = "The HTTP API CloudFront serves under /<stage>/* (modules/httpapi): its execute-api host and stage; null for none."
  type = object({
    host  = string
    stage = string
  })
  default = null
}

variable "web_dir" {
  description = "Directory whose files are uploaded to the web bucket (the repo's web/); null uploads nothing."
  type        = string
  default     = null
}

variable "web_config" {
  description = "The document served as /config.json (websocket_url, api_url, auth); null for none."
  type        = any
  default     = null
}
