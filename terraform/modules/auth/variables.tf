variable "name" {
  type = string
}

variable "groups" {
  description = "Cognito groups = roles of aicc (aicc/runtime/auth.py ROLES); the lowest precedence wins in tokens."
  type = map(object({
    description = string
    precedence  = number
  }))
  default = {
    customer  = { description = "Customers: their own conversations", precedence = 30 }
    dealer    = { description = "Dealer staff: their dealership's conversations (custom:dealer_id)", precedence = 20 }
    oem_staff = { description = "OEM staff: every conversation", precedence = 10 }
  }
}

variable "allow_self_signup" {
  description = "Let customers sign themselves up (they get no group, which aicc treats as customer)."
  type        = bool
  default     = false
}

variable "mfa" {
  description = "OFF, ON or OPTIONAL."
  type        = string
  default     = "OPTIONAL"
}

variable "advanced_security_mode" {
  description = "OFF, AUDIT or ENFORCED (threat protection needs the Plus feature plan, billed per user)."
  type        = string
  default     = "OFF"
}

variable "deletion_protection" {
  type    = bool
  default = true
}

variable "callback_urls" {
  description = "OAuth callback URLs of the web client (hosted UI); empty disables OAuth flows."
  type        = list(string)
  default     = []
}

variable "logout_urls" {
  type    = list(string)
  default = []
}

variable "domain_prefix" {
  description = "Hosted UI domain prefix (<prefix>.auth.<region>.amazoncognito.com); null for none."
  type        = string
  default     = null
}

variable "waf" {
  type    = bool
  default = true
}

variable "waf_rate_limit_per_5_minutes" {
  type    = number
  default = 500
}

variable "waf_logging" {
  type    = bool
  default = true
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
