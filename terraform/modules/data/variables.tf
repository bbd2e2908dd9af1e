variable "tables" {
  description = "terraform/tables.json: name -> {hash_key, range_key, ttl_attribute, attributes, indexes}."
  type        = any
}

variable "table_prefix" {
  description = "AICC_TABLE_PREFIX, e.g. aicc-dev-."
  type        = string
}

variable "create" {
  description = "false in a DR region: the tables are the primary's global-table replicas."
  type        = bool
  default     = true
}

variable "replica_regions" {
  description = "Regions holding a global-table replica of every table (disaster recovery)."
  type        = list(string)
  default     = []
}

variable "allowed_replica_region_prefix" {
  description = "Every replica region must start with this, e.g. \"eu-\" to keep data in the EU; \"\" allows any."
  type        = string
  default     = ""
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the tables; null uses the AWS managed key."
  type        = string
  default     = null
}

variable "replica_kms_key_arns" {
  description = "Region -> customer-managed KMS key of that region's replica (when kms_key_arn is set)."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
