variable "agent" {
  description = "One entry of terraform/manifest.json's `agents` (name, handler, source, consumes, emits, tables, ...)."
  type        = any
}

variable "sizing" {
  description = "The agent's row of the stack's function_sizing (contracts/sizing.py): memory_mb, snap_start, provisioned_concurrency."
  type = object({
    memory_mb               = number
    snap_start              = bool
    provisioned_concurrency = number
  })
}

variable "name_prefix" {
  description = "Prefix of every queue and function name, e.g. aicc-dev-."
  type        = string
}

variable "bus_name" {
  type = string
}

variable "bus_arn" {
  type = string
}

variable "table_arns" {
  description = "Table name in the manifest (e.g. customers) -> table ARN."
  type        = map(string)
}

variable "websocket_execution_arn" {
  description = "execute-api ARN of the WebSocket API (for agents that push replies)."
  type        = string
  default     = ""
}

variable "websocket_stage" {
  type    = string
  default = ""
}

variable "callback_url" {
  description = "https callback URL of the WebSocket stage (AICC_CALLBACK_URL)."
  type        = string
  default     = ""
}

variable "environment" {
  description = "Environment shared by every function (bus, table prefix, providers, ...)."
  type        = map(string)
  default     = {}
}

variable "extra_policy_statements" {
  description = "Permissions for the agent's production AI provider (Bedrock, Comprehend, Kendra), exact resources."
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

variable "runtime" {
  type    = string
  default = "python3.12"
}

variable "reserved_concurrency" {
  type    = number
  default = -1
}

variable "maximum_concurrency" {
  description = "Cap on concurrent invocations from the queue (2-1000); null for none."
  type        = number
  default     = null
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

variable "oldest_message_age_threshold_s" {
  description = "Alarm when a message waits longer than this (a turn's deadline is seconds)."
  type        = number
  default     = 60
}

variable "alarm_actions" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
