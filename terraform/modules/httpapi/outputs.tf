output "api_id" {
  value = aws_apigatewayv2_api.this.id
}

output "execution_arn" {
  value = aws_apigatewayv2_api.this.execution_arn
}

output "endpoint_host" {
  description = "Host of the API's execute-api endpoint: CloudFront's origin for /<stage>/*."
  value       = replace(aws_apigatewayv2_api.this.api_endpoint, "https://", "")
}

output "stage_name" {
  value = aws_apigatewayv2_stage.this.name
}

output "url" {
  description = "The stage's own URL (CloudFront serves the same routes at <web_url>/<stage>)."
  value       = aws_apigatewayv2_stage.this.invoke_url
}

output "function_names" {
  value = { for name, fn in module.function : name => fn.function_name }
}
