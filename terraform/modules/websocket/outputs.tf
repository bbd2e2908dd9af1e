output "api_id" {
  value = aws_apigatewayv2_api.this.id
}

output "execution_arn" {
  value = aws_apigatewayv2_api.this.execution_arn
}

output "stage_name" {
  value = aws_apigatewayv2_stage.this.name
}

output "url" {
  description = "wss:// URL clients connect to (aicc chat --url)."
  value       = "${aws_apigatewayv2_stage.this.invoke_url}/"
}

output "callback_url" {
  description = "https callback URL of the @connections API (AICC_CALLBACK_URL)."
  value       = local.callback_url
}

output "function_names" {
  value = { for name, fn in module.function : name => fn.function_name }
}

output "authorizer_id" {
  value = aws_apigatewayv2_authorizer.this.id
}

output "domain_target" {
  description = "Regional target of the custom domain, for a Route 53 alias (null without a domain)."
  value = var.domain_name == null ? null : {
    name    = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
    zone_id = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].hosted_zone_id
  }
}

output "origin" {
  description = "wss://<api-id>.execute-api.<region>.<dns suffix>: the origin the web client's CSP allows."
  value       = "wss://${aws_apigatewayv2_api.this.id}.execute-api.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"
}
