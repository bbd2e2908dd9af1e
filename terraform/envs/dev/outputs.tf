output "websocket_url" {
  value = module.stack.websocket_url
}

output "table_prefix" {
  value = module.stack.table_prefix
}

output "knowledge_bucket" {
  value = module.stack.knowledge_bucket
}

output "user_pool_id" {
  value = module.stack.user_pool_id
}

output "user_pool_client_id" {
  value = module.stack.user_pool_client_id
}

output "bus_name" {
  value = module.stack.bus_name
}

output "archive_name" {
  value = module.stack.archive_name
}

output "dashboard" {
  value = module.stack.dashboard
}

output "web_url" {
  value = module.stack.web_url
}

output "agents" {
  value = module.stack.agents
}

output "hosted_ui_url" {
  description = "Cognito hosted UI (the web client's sign-in)."
  value       = module.stack.hosted_ui_url
}

output "http_api_url" {
  description = "The read-only HTTP API's own stage URL; the pages call it at <web_url>/api."
  value       = module.stack.http_api_url
}
