# The custom event bus, its archive (for replay) and the Schema Registry with every event schema.

resource "aws_cloudwatch_event_bus" "this" {
  name = var.bus_name
  tags = var.tags
}

resource "aws_cloudwatch_event_archive" "this" {
  name             = "${var.bus_name}-archive"
  description      = "Every event on ${var.bus_name}, for replay (`replay-name` marks replayed events)."
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.archive_retention_days
}

resource "aws_schemas_registry" "this" {
  name        = "${var.bus_name}-events"
  description = "JSON Schemas of every aicc event (contracts/schemas/events, generated from the pydantic models)."
  tags        = var.tags
}

resource "aws_schemas_schema" "this" {
  for_each      = fileset(var.schemas_dir, "*.json")
  name          = "${var.schema_name_prefix}${trimsuffix(each.value, ".json")}"
  registry_name = aws_schemas_registry.this.name
  type          = "JSONSchemaDraft4"
  description   = "detail of the ${trimsuffix(each.value, ".json")} event"
  content       = file("${var.schemas_dir}/${each.value}")
  tags          = var.tags
}
