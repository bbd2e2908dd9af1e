variable "region" {
  type    = string
  default = "us-east-1"
}

variable "code_zip" {
  description = "Defaults to build/lambda/code.zip."
  type        = string
  default     = null
}

variable "layer_zip" {
  description = "Defaults to build/lambda/layer.zip."
  type        = string
  default     = null
}

variable "manage_apigateway_account" {
  type    = bool
  default = true
}

variable "intent_provider" {
  type    = string
  default = "local"
}

variable "sentiment_provider" {
  type    = string
  default = "local"
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
