output "health_check_id" {
  value = aws_route53_health_check.primary.id
}

output "url" {
  value = "wss://${var.domain_name}/"
}
