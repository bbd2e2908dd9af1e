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
