variable "bus_name" {
  type = string
}

variable "archive_retention_days" {
  description = "Days the archive keeps events for replay (0 keeps them forever)."
  type        = number
  default     = 30
}

variable "schemas_dir" {
  description = "Directory of the event JSON Schemas (contracts/schemas/events)."
  type        = string
}

variable "schema_name_prefix" {
  description = "Prefix of each schema's name in the registry; the detail-type follows it."
  type        = string
  default     = "aicc@"
}

variable "tags" {
  type    = map(string)
  default = {}
}
