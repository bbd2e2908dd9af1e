output "function_name" {
  value = aws_lambda_function.this.function_name
}

output "function_arn" {
  value = aws_lambda_function.this.arn
}

output "alias_name" {
  value = aws_lambda_alias.live.name
}

output "alias_arn" {
  description = "The qualified ARN triggers invoke (event-source mappings, permissions)."
  value       = aws_lambda_alias.live.arn
}

output "alias_invoke_arn" {
  description = "The alias's invoke ARN (API Gateway integrations and authorizers)."
  value       = aws_lambda_alias.live.invoke_arn
}

output "version" {
  value = aws_lambda_function.this.version
}

output "role_arn" {
  value = aws_iam_role.this.arn
}

output "role_name" {
  value = aws_iam_role.this.name
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.this.name
}

output "alarm_arns" {
  value = [aws_cloudwatch_metric_alarm.errors.arn, aws_cloudwatch_metric_alarm.throttles.arn]
}
