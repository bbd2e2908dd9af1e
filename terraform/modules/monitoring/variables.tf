variable "name" {
  type = string
}

variable "metrics_namespace" {
  description = "POWERTOOLS_METRICS_NAMESPACE of the analytics agent's EMF metrics."
  type        = string
  default     = "aicc"
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "agent_functions" {
  description = "Agent name -> Lambda function name."
  type        = map(string)
  default     = {}
}

variable "queue_names" {
  description = "Agent name -> queue name."
  type        = map(string)
  default     = {}
}

variable "dlq_names" {
  description = "Agent name -> DLQ name."
  type        = map(string)
  default     = {}
}

variable "api_id" {
  description = "WebSocket API id."
  type        = string
  default     = ""
}

variable "stage_name" {
  type    = string
  default = ""
}

variable "turn_latency_p95_threshold_ms" {
  description = "The seed's budget: under 500 ms end to end."
  type        = number
  default     = 500
}

variable "degraded_share_threshold_pct" {
  type    = number
  default = 5
}

variable "api_error_threshold" {
  description = "WebSocket integration + execution errors per minute that make the region unhealthy."
  type        = number
  default     = 50
}

variable "tags" {
  type    = map(string)
  default = {}
}
