# A private S3 bucket: versioned, encrypted (SSE-S3), public access blocked, TLS only, old versions
# expired, server access logs to the log bucket (unless it is the log bucket).

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:No cross-region copy: web assets are rebuilt from the repo, the corpus is re-seeded by `aicc seed` in any region, logs stay where they are written (and nothing leaves the EU for eu).
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) is on; CloudFront's origin access control and the log delivery services read/write SSE-S3 without a KMS key policy.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to object events (Kendra syncs the knowledge bucket on its own schedule).
  #checkov:skip=CKV_AWS_18:Access logging is configured by aws_s3_bucket_logging below, except for the log bucket itself (logging it into itself would loop).
  bucket        = var.name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  #checkov:skip=CKV2_AWS_65:ACLs stay enabled only on the log bucket (var.acl_log_delivery): CloudFront standard logging writes through an ACL grant; every other bucket is BucketOwnerEnforced.
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = var.acl_log_delivery ? "BucketOwnerPreferred" : "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    dynamic "expiration" {
      for_each = var.expiration_days == null ? [] : [var.expiration_days]
      content {
        days = expiration.value
      }
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.log_bucket == null ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_bucket
  target_prefix = "s3/${var.name}/"
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = var.policy_documents

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket     = aws_s3_bucket.this.id
  policy     = data.aws_iam_policy_document.this.json
  depends_on = [aws_s3_bucket_public_access_block.this]
}
