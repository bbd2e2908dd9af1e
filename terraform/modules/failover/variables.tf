variable "hosted_zone_id" {
  type = string
}

variable "domain_name" {
  description = "The chat domain clients use (wss://<domain_name>/)."
  type        = string
}

variable "primary_region" {
  type = string
}

variable "secondary_region" {
  type = string
}

variable "primary_target" {
  description = "{name, zone_id} of the primary region's API Gateway custom domain."
  type = object({
    name    = string
    zone_id = string
  })
}

variable "secondary_target" {
  description = "{name, zone_id} of the DR region's API Gateway custom domain."
  type = object({
    name    = string
    zone_id = string
  })
}

variable "primary_health_alarm_name" {
  description = "CloudWatch alarm (in primary_region) whose ALARM state fails the primary over."
  type        = string
}

variable "force_failover" {
  description = "true sends every client to the DR region whatever the alarm says."
  type        = bool
  default     = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
