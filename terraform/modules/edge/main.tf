# S3 buckets (web client, knowledge corpus, access logs) and the CloudFront distribution serving the
# web client through an origin access control, guarded by WAF (CloudFront scope, us-east-1); the
# files of web/ and a generated config.json uploaded to the web bucket; the read-only HTTP API
# (modules/httpapi) served by the same distribution under /<stage>/*, so the browser calls it
# same-origin.
#
# The knowledge bucket stays private: `aicc seed` uploads the manual/FAQ corpus there and Kendra (or
# a Bedrock knowledge base) indexes it; passages link to the OEM's public manual URLs, not to S3.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  suffix = "${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"

  # The web client's strict policy (the embedded gateway sends the same): scripts and styles only from files of this
  # origin (no inline code), and the browser may talk only to this origin (the pages, config.json and
  # the HTTP API under /<stage>/), the stack's WebSocket API and the Cognito hosted UI's token endpoint
  # (code exchange with PKCE, refresh).
  content_security_policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${join(" ", var.connect_src)}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

  # web/ is plain ES modules and CSS, served as is (no build step); anything else gets a generic type.
  content_types = {
    css   = "text/css; charset=utf-8"
    html  = "text/html; charset=utf-8"
    ico   = "image/x-icon"
    js    = "text/javascript; charset=utf-8"
    json  = "application/json"
    map   = "application/json"
    mjs   = "text/javascript; charset=utf-8"
    png   = "image/png"
    svg   = "image/svg+xml"
    txt   = "text/plain; charset=utf-8"
    webp  = "image/webp"
    woff2 = "font/woff2"
  }
  web_files = var.web_dir == null ? toset([]) : fileset(var.web_dir, "**")
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
      content_security_policy = local.content_security_policy
      override                = true
    }
  }
}

# CloudFront forwards Authorization only as part of a cache key; with a default TTL of 0 and no
# Cache-Control from the API nothing is kept, and the key keeps one user's answer from another anyway.
resource "aws_cloudfront_cache_policy" "api" {
  count       = var.api == null ? 0 : 1
  name        = "${var.name}-${data.aws_region.current.name}-api"
  comment     = "aicc HTTP API: per token and query, not kept"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 1

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true
    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["Authorization"]
      }
    }
    query_strings_config {
      query_string_behavior = "all"
    }
    cookies_config {
      cookie_behavior = "none"
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  #checkov:skip=CKV_AWS_310:No origin group: the web client is static and rebuilt from the repo, the API is regional, and the DR region runs its own distribution over its own bucket and API (docs/deploy.md).
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

  dynamic "origin" {
    for_each = var.api == null ? [] : [var.api]
    content {
      origin_id   = "api"
      domain_name = origin.value.host
      custom_origin_config {
        http_port              = 80
        https_port             = 443
        origin_protocol_policy = "https-only"
        origin_ssl_protocols   = ["TLSv1.2"]
      }
    }
  }

  # The HTTP API: never cached (each answer is one user's), the bearer token and ?days passed on.
  dynamic "ordered_cache_behavior" {
    for_each = var.api == null ? [] : [var.api]
    content {
      path_pattern               = "/${ordered_cache_behavior.value.stage}/*"
      target_origin_id           = "api"
      viewer_protocol_policy     = "https-only"
      allowed_methods            = ["GET", "HEAD", "OPTIONS"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = aws_cloudfront_cache_policy.api[0].id
      origin_request_policy_id   = "b689b0a8-53d0-40ab-baf2-68738e2966ac" # Managed-AllViewerExceptHostHeader (API Gateway needs its own Host)
      response_headers_policy_id = aws_cloudfront_response_headers_policy.web.id
    }
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

# --- the web client's files ------------------------------------------------------------------------

# Names in web/ carry no content hash (no build step): every file revalidates (ETag), so a deploy is
# seen at once; CloudFront still keeps each for its cache policy's minimum TTL.
resource "aws_s3_object" "web" {
  for_each = local.web_files

  bucket        = module.web.id
  key           = each.value
  source        = "${var.web_dir}/${each.value}"
  etag          = filemd5("${var.web_dir}/${each.value}")
  content_type  = lookup(local.content_types, lower(reverse(split(".", each.value))[0]), "application/octet-stream")
  cache_control = "no-cache"
  tags          = var.tags
}

# The runtime configuration the pages fetch first (GET /config.json): where the WebSocket and HTTP
# APIs are and how to sign in. The embedded gateway generates the same document.
resource "aws_s3_object" "config" {
  count = var.web_config == null ? 0 : 1

  bucket        = module.web.id
  key           = "config.json"
  content       = jsonencode(var.web_config)
  content_type  = "application/json"
  cache_control = "no-cache"
  tags          = var.tags
}
