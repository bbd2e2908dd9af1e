# S3 buckets (web client, knowledge corpus, access logs) and the CloudFront distribution serving the
# web client through an origin access control, guarded by WAF (CloudFront scope, us-east-1).
#
# The knowledge bucket stays private: `aicc seed` uploads the manual/FAQ corpus there and Kendra (or
# a Bedrock knowledge base) indexes it; passages link to the OEM's public manual URLs, not to S3.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  suffix = "${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
}

# --- buckets --------------------------------------------------------------------------------------

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.name}-logs-${local.suffix}/s3/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

module "logs" {
  source = "../bucket"

  name                    = "${var.name}-logs-${local.suffix}"
  force_destroy           = var.force_destroy
  acl_log_delivery        = true
  expiration_days         = var.access_log_retention_days
  noncurrent_version_days = 7
  policy_documents        = [data.aws_iam_policy_document.logs.json]
  tags                    = var.tags
}

data "aws_iam_policy_document" "web" {
  statement {
    sid       = "CloudFrontReadsWeb"
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.name}-web-${local.suffix}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
}

module "web" {
  source = "../bucket"

  name                    = "${var.name}-web-${local.suffix}"
  force_destroy           = var.force_destroy
  log_bucket              = module.logs.id
  noncurrent_version_days = var.noncurrent_version_days
  policy_documents        = [data.aws_iam_policy_document.web.json]
  tags                    = merge(var.tags, { purpose = "web" })
}

module "knowledge" {
  source = "../bucket"

  name                    = "${var.name}-knowledge-${local.suffix}"
  force_destroy           = var.force_destroy
  log_bucket              = module.logs.id
  noncurrent_version_days = var.noncurrent_version_days
  tags                    = merge(var.tags, { purpose = "knowledge" })
}

# --- CloudFront -----------------------------------------------------------------------------------

module "waf" {
  count  = var.waf ? 1 : 0
  source = "../waf"
  providers = {
    aws = aws.us_east_1
  }

  name                     = "${var.name}-${data.aws_region.current.name}-web"
  scope                    = "CLOUDFRONT"
  rate_limit_per_5_minutes = var.waf_rate_limit_per_5_minutes
  logging                  = var.waf_logging
  log_retention_days       = var.log_retention_days
  tags                     = var.tags
}

resource "aws_cloudfront_origin_access_control" "web" {
  name                              = "${var.name}-${data.aws_region.current.name}-web"
  description                       = "CloudFront reads the web bucket with SigV4"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "web" {
  name    = "${var.name}-${data.aws_region.current.name}-web"
  comment = "Security headers of the aicc web client"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    content_security_policy {
      # The client talks to the WebSocket API (wss:) and Cognito (https:) only.
      content_security_policy = "default-src 'self'; connect-src 'self' wss: https:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'"
      override                = true
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  #checkov:skip=CKV_AWS_310:One origin by design: the web client is static and rebuilt from the repo; the DR region runs its own distribution (docs/deploy.md).
  #checkov:skip=CKV_AWS_174:With the default *.cloudfront.net certificate CloudFront fixes the protocol floor; with var.certificate_arn the policy is TLSv1.2_2021.
  #checkov:skip=CKV2_AWS_42:A custom certificate needs a domain the operator owns; var.aliases + var.certificate_arn enable it.
  #checkov:skip=CKV_AWS_374:Customers, dealers and staff are worldwide; var.geo_allow restricts countries where an operator wants it.
  comment             = "${var.name} web client"
  enabled             = true
  is_ipv6_enabled     = true
  default_root_object = "index.html"
  price_class         = var.price_class
  aliases             = var.aliases
  web_acl_id          = var.waf ? module.waf[0].arn : null
  http_version        = "http2and3"

  origin {
    origin_id                = "web"
    domain_name              = module.web.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web.id
  }

  default_cache_behavior {
    target_origin_id           = "web"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.web.id
  }

  logging_config {
    bucket          = module.logs.bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  restrictions {
    geo_restriction {
      restriction_type = length(var.geo_allow) > 0 ? "whitelist" : "none"
      locations        = var.geo_allow
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.certificate_arn == null
    acm_certificate_arn            = var.certificate_arn
    ssl_support_method             = var.certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }

  tags = var.tags
}
