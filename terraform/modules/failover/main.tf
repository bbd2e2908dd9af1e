# Route 53 failover of the chat endpoint between the primary region and the DR region.
# The primary record is healthy while the primary's API health alarm is not in ALARM; setting
# force_failover inverts the health check, the documented manual switch (docs/deploy.md).

resource "aws_route53_health_check" "primary" {
  type                            = "CLOUDWATCH_METRIC"
  cloudwatch_alarm_name           = var.primary_health_alarm_name
  cloudwatch_alarm_region         = var.primary_region
  insufficient_data_health_status = "LastKnownStatus"
  invert_healthcheck              = var.force_failover
  tags                            = merge(var.tags, { Name = "${var.domain_name} primary" })
}

resource "aws_route53_record" "primary" {
  zone_id         = var.hosted_zone_id
  name            = var.domain_name
  type            = "A"
  set_identifier  = "primary-${var.primary_region}"
  health_check_id = aws_route53_health_check.primary.id

  failover_routing_policy {
    type = "PRIMARY"
  }

  alias {
    name                   = var.primary_target.name
    zone_id                = var.primary_target.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "secondary" {
  zone_id        = var.hosted_zone_id
  name           = var.domain_name
  type           = "A"
  set_identifier = "secondary-${var.secondary_region}"

  failover_routing_policy {
    type = "SECONDARY"
  }

  alias {
    name                   = var.secondary_target.name
    zone_id                = var.secondary_target.zone_id
    evaluate_target_health = true
  }
}
