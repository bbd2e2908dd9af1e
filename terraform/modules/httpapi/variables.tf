variable "name" {
  description = "Name prefix of the API and its functions, e.g. aicc-dev."
  type        = string
}

variable "routes" {
  description = "Route key (\"GET /stats\") -> handler (handlers.http_stats.handler)."
  type        = map(string)
}

variable "stage_name" {
  description = "Also the path prefix under which CloudFront serves the API (<web_url>/<stage>/stats)."
  type        = string
  default     = "api"
}

variable "issuer" {
  description = "The Cognito user pool's issuer URL (https://cognito-idp.<region>.amazonaws.com/<pool id>)."
  type        = string
}

variable "audience" {
  description = "App client ids whose ID tokens are accepted (the `aud` claim)."
  type        = list(string)
}

variable "permissions" {
  description = "Handler module -> its policy statements (modules/function policy_statements)."
  type        = any
  default     = {}
}

variable "sizing" {
  description = "Handler module (http_stats, ...) -> its row of the stack's function_sizing (contracts/sizing.py)."
  type = map(object({
    memory_mb               = number
    snap_start              = bool
    provisioned_concurrency = number
  }))
}

variable "throttling_burst_limit" {
  type    = number
  default = 100
}

variable "throttling_rate_limit" {
  type    = number
  default = 50
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "runtime" {
  type    = string
  default = "python3.12"
}

variable "timeout_s" {
  description = "HTTP APIs wait at most 30 s for an integration."
  type        = number
  default     = 10
}

variable "code_zip" {
  type = string
}

variable "layers" {
  type    = list(string)
  default = []
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "alarm_actions" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
