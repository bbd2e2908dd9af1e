output "web_bucket" {
  value = module.web.id
}

output "knowledge_bucket" {
  description = "AICC_KNOWLEDGE_BUCKET: `aicc seed` uploads the corpus here."
  value       = module.knowledge.id
}

output "knowledge_bucket_arn" {
  value = module.knowledge.arn
}

output "logs_bucket" {
  value = module.logs.id
}

output "distribution_id" {
  value = aws_cloudfront_distribution.web.id
}

output "web_url" {
  value = "https://${aws_cloudfront_distribution.web.domain_name}"
}

output "web_domain" {
  description = "The distribution's domain name (d123.cloudfront.net)."
  value       = aws_cloudfront_distribution.web.domain_name
}

output "content_security_policy" {
  value = local.content_security_policy
}

output "web_objects" {
  description = "Keys of the uploaded web files."
  value       = sort(keys(aws_s3_object.web))
}
