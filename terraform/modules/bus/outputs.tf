output "bus_name" {
  value = aws_cloudwatch_event_bus.this.name
}

output "bus_arn" {
  value = aws_cloudwatch_event_bus.this.arn
}

output "archive_name" {
  value = aws_cloudwatch_event_archive.this.name
}

output "archive_arn" {
  value = aws_cloudwatch_event_archive.this.arn
}

output "schema_registry_name" {
  value = aws_schemas_registry.this.name
}

output "schema_names" {
  value = sort([for s in aws_schemas_schema.this : s.name])
}
