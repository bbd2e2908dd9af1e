output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  value = aws_cloudwatch_dashboard.this.dashboard_name
}

output "health_alarm_name" {
  description = "Alarm that marks this region unhealthy (watched by the Route 53 failover health check)."
  value       = aws_cloudwatch_metric_alarm.api_health.alarm_name
}
