output "region" {
  value = local.region
}

output "websocket_url" {
  description = "aicc chat --url <this> --token <Cognito ID token>"
  value       = module.websocket.url
}

output "callback_url" {
  value = module.websocket.callback_url
}

output "chat_domain_target" {
  description = "Regional API Gateway target of chat_domain_name (for Route 53 failover records)."
  value       = module.websocket.domain_target
}

output "health_alarm_name" {
  value = module.monitoring.health_alarm_name
}

output "bus_name" {
  value = module.bus.bus_name
}

output "archive_name" {
  value = module.bus.archive_name
}

output "schema_registry" {
  value = module.bus.schema_registry_name
}

output "table_prefix" {
  description = "AICC_TABLE_PREFIX for `aicc seed`."
  value       = local.table_prefix
}

output "table_names" {
  value = module.data.table_names
}

output "knowledge_bucket" {
  description = "AICC_KNOWLEDGE_BUCKET for `aicc seed`."
  value       = module.edge.knowledge_bucket
}

output "web_bucket" {
  value = module.edge.web_bucket
}

output "web_url" {
  value = module.edge.web_url
}

output "user_pool_id" {
  value = module.auth.user_pool_id
}

output "user_pool_client_id" {
  value = module.auth.client_id
}

output "alarm_topic_arn" {
  value = module.monitoring.alarm_topic_arn
}

output "dashboard" {
  value = module.monitoring.dashboard_name
}

output "agents" {
  description = "Agent -> its queue, DLQ and function."
  value = {
    for name, agent in module.agent : name => {
      queue_url = agent.queue_url
      dlq_url   = agent.dlq_url
      function  = agent.function_name
      rules     = keys(agent.rule_arns)
    }
  }
}

output "http_api_url" {
  description = "The HTTP API's stage URL (the pages call it through CloudFront: <web_url>/api)."
  value       = module.http_api.url
}

output "web_config" {
  description = "The /config.json the pages read."
  value       = local.web_config
}

output "hosted_ui_url" {
  value = module.auth.hosted_ui_url
}
