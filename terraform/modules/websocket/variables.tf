variable "name" {
  description = "Name prefix of the API and its functions, e.g. aicc-dev."
  type        = string
}

variable "routes" {
  description = "terraform/websocket_routes.json: route_selection_expression, authorizer, routes."
  type        = any
}

variable "stage_name" {
  type    = string
  default = "live"
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst of messages (the seed's budget is 10,000 requests/s)."
  type        = number
  default     = 5000
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady rate of messages per second."
  type        = number
  default     = 10000
}

variable "bus_arn" {
  type = string
}

variable "ingress_source" {
  description = "The only `source` the ingress may publish (aicc.ingress)."
  type        = string
  default     = "aicc.ingress"
}

variable "table_arns" {
  type = map(string)
}

variable "environment" {
  description = "Shared environment (bus, table prefix, Cognito pool and client, ...)."
  type        = map(string)
  default     = {}
}

variable "runtime" {
  type    = string
  default = "python3.12"
}

variable "sizing" {
  description = "Handler module (ws_ingress, ...) -> its row of the stack's function_sizing (contracts/sizing.py)."
  type = map(object({
    memory_mb               = number
    snap_start              = bool
    provisioned_concurrency = number
  }))
}

variable "timeout_s" {
  description = "API Gateway waits at most 29 s for an integration."
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

variable "manage_account_logging_role" {
  description = "Set API Gateway's account-level CloudWatch role (one per account and region; leave false if another stack owns it)."
  type        = bool
  default     = true
}

variable "domain_name" {
  description = "Custom domain of the chat endpoint (e.g. chat.example.com); null for the execute-api URL only."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "Regional ACM certificate of domain_name."
  type        = string
  default     = null
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "deadline_queue" {
  description = "The aggregator's turn-deadline queue (url, arn): ws_ingress schedules each turn's deadline there."
  type        = object({ url = string, arn = string })
}

variable "knowledge_statements" {
  description = "What the knowledge retrieval needs beyond the code zip (Kendra, when selected): given to ws_read for the assist."
  type        = any
  default     = []
}
