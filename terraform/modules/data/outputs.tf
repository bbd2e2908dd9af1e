output "table_arns" {
  description = "Table name in the manifest -> ARN (in this region)."
  value       = local.arns
}

output "table_names" {
  value = { for name, _ in var.tables : name => "${var.table_prefix}${name}" }
}
