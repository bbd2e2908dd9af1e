output "arn" {
  value = aws_wafv2_web_acl.this.arn
}

output "id" {
  value = aws_wafv2_web_acl.this.id
}
