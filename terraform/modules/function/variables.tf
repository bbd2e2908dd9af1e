variable "function_name" {
  description = "Lambda function name (unique in the region)."
  type        = string
}

variable "description" {
  description = "What the function does."
  type        = string
  default     = ""
}

variable "handler" {
  description = "Dotted path of the handler function, e.g. handlers.intent.handler."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime (the layer is built for it by scripts/package_lambda.py)."
  type        = string
  default     = "python3.12"
}

variable "memory_mb" {
  description = "From contracts/sizing.py (terraform/functions.json), the one table of function memory."
  type        = number
}

variable "snap_start" {
  description = "SnapStart on published versions (python3.12+, no provisioned concurrency)."
  type        = bool
  default     = false
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency on the alias; 0 for none."
  type        = number
  default     = 0
  validation {
    condition     = var.provisioned_concurrency >= 0
    error_message = "provisioned_concurrency is 0 (off) or more."
  }
}

variable "alias_name" {
  description = "The alias every trigger invokes; it points at the latest published version."
  type        = string
  default     = "live"
}

variable "timeout_s" {
  type    = number
  default = 10
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; -1 leaves the function on the unreserved account pool."
  type        = number
  default     = -1
}

variable "code_zip" {
  description = "Path of build/lambda/code.zip."
  type        = string
}

variable "layers" {
  description = "Layer version ARNs (the dependency layer)."
  type        = list(string)
  default     = []
}

variable "environment" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "policy_statements" {
  description = "The function's permissions beyond its own logs and X-Ray: each statement names exact resources."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified by the function's alarms."
  type        = list(string)
  default     = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
