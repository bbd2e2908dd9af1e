# DynamoDB tables, exactly as aicc/runtime/tables.py defines them (exported to terraform/tables.json):
# same keys, indexes and TTL; on-demand, point-in-time recovery, encrypted, optionally global.
#
# A DR stack (create = false) does not create tables: the primary's global-table replicas, which carry
# the same names in the DR region, are its tables.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS managed key (server_side_encryption enabled); a customer-managed key would have to exist in every replica region and is left to the operator (kms_key_arn).
  for_each = { for name, table in var.tables : name => table if var.create }

  name         = "${var.table_prefix}${each.key}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = each.value.hash_key
  range_key    = each.value.range_key

  dynamic "attribute" {
    for_each = each.value.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = each.value.indexes
    content {
      name            = global_secondary_index.value.name
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection
    }
  }

  dynamic "ttl" {
    for_each = each.value.ttl_attribute == null ? [] : [each.value.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  # Global tables (version 2019.11.21) need a stream of new and old images.
  stream_enabled   = length(var.replica_regions) > 0
  stream_view_type = length(var.replica_regions) > 0 ? "NEW_AND_OLD_IMAGES" : null

  dynamic "replica" {
    for_each = var.replica_regions
    content {
      region_name            = replica.value
      point_in_time_recovery = true
      propagate_tags         = true
      kms_key_arn            = lookup(var.replica_kms_key_arns, replica.value, null)
    }
  }

  deletion_protection_enabled = var.deletion_protection

  tags = var.tags

  lifecycle {
    precondition {
      condition     = alltrue([for r in var.replica_regions : startswith(r, var.allowed_replica_region_prefix)])
      error_message = "Replica regions must start with \"${var.allowed_replica_region_prefix}\" (data residency)."
    }
  }
}

locals {
  arns = {
    for name, _ in var.tables : name => (
      var.create
      ? aws_dynamodb_table.this[name].arn
      : "arn:${data.aws_partition.current.partition}:dynamodb:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:table/${var.table_prefix}${name}"
    )
  }
}
