# Cognito: the user pool whose ID tokens the $connect authorizer validates (AICC_AUTH_MODE=cognito).
# Roles are groups (customer, dealer, oem_staff); dealers carry custom:dealer_id, customers may carry
# custom:customer_id (their id in the customers table). Only administrators set those attributes.

data "aws_region" "current" {}

resource "aws_cognito_user_pool" "this" {
  name                     = "${var.name}-users"
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = var.mfa

  software_token_mfa_configuration {
    enabled = true
  }

  admin_create_user_config {
    allow_admin_create_user_only = !var.allow_self_signup
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  user_pool_add_ons {
    advanced_security_mode = var.advanced_security_mode
  }

  schema {
    name                     = "dealer_id"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }

  schema {
    name                     = "customer_id"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }

  tags = var.tags
}

resource "aws_cognito_user_group" "this" {
  for_each     = var.groups
  name         = each.key
  user_pool_id = aws_cognito_user_pool.this.id
  description  = each.value.description
  precedence   = each.value.precedence
}

resource "aws_cognito_user_pool_client" "this" {
  name            = "${var.name}-chat"
  user_pool_id    = aws_cognito_user_pool.this.id
  generate_secret = false # a browser / CLI client cannot keep a secret

  explicit_auth_flows = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    # Administrators (IAM credentials) sign staff in for smoke tests: docs/deploy.md.
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  ]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  # The authorizer checks `aud`: clients send the ID token.
  id_token_validity      = 60
  access_token_validity  = 60
  refresh_token_validity = 30
  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "days"
  }

  # Users may not write their own role-bearing attributes.
  read_attributes  = ["email", "email_verified", "custom:dealer_id", "custom:customer_id"]
  write_attributes = ["email"]

  # The web client signs in through the hosted UI: authorization code with PKCE (a public client, so
  # the code alone is worthless without the page's verifier), then refreshes with the refresh token.
  supported_identity_providers         = ["COGNITO"]
  allowed_oauth_flows_user_pool_client = length(var.callback_urls) > 0
  allowed_oauth_flows                  = length(var.callback_urls) > 0 ? ["code"] : null
  allowed_oauth_scopes                 = length(var.callback_urls) > 0 ? ["openid", "email", "profile"] : null
  callback_urls                        = length(var.callback_urls) > 0 ? var.callback_urls : null
  logout_urls                          = length(var.logout_urls) > 0 ? var.logout_urls : null
}

resource "aws_cognito_user_pool_domain" "this" {
  count        = var.domain_prefix == null ? 0 : 1
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# WAF attaches to Cognito user pools (not to WebSocket APIs): sign-in is rate limited and filtered.
module "waf" {
  count  = var.waf ? 1 : 0
  source = "../waf"

  name                     = "${var.name}-cognito"
  scope                    = "REGIONAL"
  rate_limit_per_5_minutes = var.waf_rate_limit_per_5_minutes
  logging                  = var.waf_logging
  log_retention_days       = var.log_retention_days
  tags                     = var.tags
}

resource "aws_wafv2_web_acl_association" "this" {
  count        = var.waf ? 1 : 0
  resource_arn = aws_cognito_user_pool.this.arn
  web_acl_arn  = module.waf[0].arn
}
