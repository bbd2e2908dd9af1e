variable "name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "force_destroy" {
  type    = bool
  default = false
}

variable "log_bucket" {
  description = "Bucket receiving this bucket's server access logs; null for the log bucket itself."
  type        = string
  default     = null
}

variable "acl_log_delivery" {
  description = "Keep ACLs enabled (BucketOwnerPreferred) so CloudFront standard logging can write here."
  type        = bool
  default     = false
}

variable "expiration_days" {
  description = "Expire current objects after this many days (logs); null keeps them."
  type        = number
  default     = null
}

variable "noncurrent_version_days" {
  type    = number
  default = 90
}

variable "policy_documents" {
  description = "Extra bucket policy JSON documents merged with the TLS-only statement."
  type        = list(string)
  default     = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
