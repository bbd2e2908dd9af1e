output "name" {
  value = var.agent.name
}

output "queue_arn" {
  value = aws_sqs_queue.queue.arn
}

output "queue_url" {
  value = aws_sqs_queue.queue.url
}

output "queue_name" {
  value = aws_sqs_queue.queue.name
}

output "dlq_arn" {
  value = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  value = aws_sqs_queue.dlq.url
}

output "dlq_name" {
  value = aws_sqs_queue.dlq.name
}

output "rule_arns" {
  value = { for name, rule in aws_cloudwatch_event_rule.this : name => rule.arn }
}

output "event_source_mapping_uuid" {
  value = aws_lambda_event_source_mapping.this.uuid
}

output "function_name" {
  value = module.function.function_name
}

output "function_arn" {
  value = module.function.function_arn
}

output "alias_arn" {
  value = module.function.alias_arn
}

output "role_arn" {
  value = module.function.role_arn
}

output "deadline_queue_arn" {
  description = "The turn-deadline queue (agents that send to their own queue), else null."
  value       = one(aws_sqs_queue.deadlines[*].arn)
}

output "deadline_queue_url" {
  value = one(aws_sqs_queue.deadlines[*].url)
}
