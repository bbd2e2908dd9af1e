output "user_pool_id" {
  value = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  value = aws_cognito_user_pool.this.arn
}

output "client_id" {
  value = aws_cognito_user_pool_client.this.id
}

output "groups" {
  value = sort(keys(aws_cognito_user_group.this))
}

output "issuer" {
  value = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "hosted_ui_url" {
  description = "https://<prefix>.auth.<region>.amazoncognito.com: the hosted UI and its token endpoint (null without a domain)."
  value       = var.domain_prefix == null ? null : "https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${data.aws_region.current.name}.amazoncognito.com"
}
