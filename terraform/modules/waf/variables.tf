variable "name" {
  type = string
}

variable "scope" {
  description = "CLOUDFRONT (provider in us-east-1) or REGIONAL."
  type        = string
  validation {
    condition     = contains(["CLOUDFRONT", "REGIONAL"], var.scope)
    error_message = "scope is CLOUDFRONT or REGIONAL."
  }
}

variable "rate_limit_per_5_minutes" {
  description = "Requests one IP may make in 5 minutes before it is blocked."
  type        = number
  default     = 2000
}

variable "logging" {
  description = "Log requests (they carry client IPs: personal data) to CloudWatch Logs in the provider's region."
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
