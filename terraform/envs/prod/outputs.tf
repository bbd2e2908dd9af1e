output "websocket_url" {
  description = "The chat endpoint: the failover domain when set, else the primary's stage URL."
  value       = var.chat_domain_name == null ? module.primary.websocket_url : module.failover[0].url
}

output "primary" {
  value = {
    region              = module.primary.region
    websocket_url       = module.primary.websocket_url
    table_prefix        = module.primary.table_prefix
    knowledge_bucket    = module.primary.knowledge_bucket
    user_pool_id        = module.primary.user_pool_id
    user_pool_client_id = module.primary.user_pool_client_id
    archive_name        = module.primary.archive_name
    dashboard           = module.primary.dashboard
    web_url             = module.primary.web_url
    hosted_ui_url       = module.primary.hosted_ui_url
  }
}

output "dr" {
  value = {
    region              = module.dr.region
    websocket_url       = module.dr.websocket_url
    table_prefix        = module.dr.table_prefix
    knowledge_bucket    = module.dr.knowledge_bucket
    user_pool_id        = module.dr.user_pool_id
    user_pool_client_id = module.dr.user_pool_client_id
    archive_name        = module.dr.archive_name
    dashboard           = module.dr.dashboard
    web_url             = module.dr.web_url
    hosted_ui_url       = module.dr.hosted_ui_url
  }
}
