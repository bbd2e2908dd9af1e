# The alarm topic (every alarm of the stack notifies it) and the operations dashboard: turns,
# p50/p95 turn latency and degraded share from the analytics agent's EMF metrics (namespace aicc,
# dimension service=analytics), per-agent errors and durations, queue and DLQ depths, the WebSocket API.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

# CloudWatch alarms can publish to an encrypted topic only with a customer-managed key that lets
# cloudwatch.amazonaws.com use it (the AWS managed aws/sns key does not).
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A KMS key policy: "*" is the key itself, and the account root must administer its own key.
  #checkov:skip=CKV_AWS_111:A KMS key policy: "*" is the key itself; CloudWatch is limited to this account by aws:SourceAccount.
  #checkov:skip=CKV_AWS_356:A KMS key policy: "*" is the key itself, the only resource a key policy can name.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_kms_key" "alarms" {
  description             = "${var.name} alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "alarms" {
  name          = "alias/${var.name}-alarms"
  target_key_id = aws_kms_key.alarms.key_id
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- service-level alarms (the analytics agent's EMF metrics) -------------------------------------

resource "aws_cloudwatch_metric_alarm" "turn_latency_p95" {
  alarm_name          = "${var.name}-turn-latency-p95"
  alarm_description   = "p95 turn latency above ${var.turn_latency_p95_threshold_ms} ms."
  namespace           = var.metrics_namespace
  metric_name         = "TurnLatency"
  dimensions          = { service = "analytics" }
  extended_statistic  = "p95"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.turn_latency_p95_threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "degraded_share" {
  alarm_name          = "${var.name}-degraded-share"
  alarm_description   = "More than ${var.degraded_share_threshold_pct}% of replies went out degraded (an agent is slow or down)."
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.degraded_share_threshold_pct
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags

  metric_query {
    id          = "share"
    expression  = "IF(turns > 0, 100 * degraded / turns, 0)"
    label       = "degraded %"
    return_data = true
  }
  metric_query {
    id = "turns"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Turns"
      dimensions  = { service = "analytics" }
      stat        = "Sum"
      period      = 300
    }
  }
  metric_query {
    id = "degraded"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "DegradedTurns"
      dimensions  = { service = "analytics" }
      stat        = "Sum"
      period      = 300
    }
  }
}

# The regional health signal Route 53 failover watches (modules/failover): the WebSocket API fails.
resource "aws_cloudwatch_metric_alarm" "api_health" {
  alarm_name          = "${var.name}-api-health"
  alarm_description   = "The WebSocket API's integrations fail: ${var.name} in ${data.aws_region.current.name} is unhealthy."
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = var.api_error_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags

  metric_query {
    id          = "errors"
    expression  = "integration + execution"
    label       = "WebSocket errors"
    return_data = true
  }
  metric_query {
    id = "integration"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "IntegrationError"
      dimensions  = { ApiId = var.api_id, Stage = var.stage_name }
      stat        = "Sum"
      period      = 60
    }
  }
  metric_query {
    id = "execution"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "ExecutionError"
      dimensions  = { ApiId = var.api_id, Stage = var.stage_name }
      stat        = "Sum"
      period      = 60
    }
  }
}

# --- dashboard ------------------------------------------------------------------------------------

locals {
  region = data.aws_region.current.name
  emf    = ["service", "analytics"]
  agents = sort(keys(var.agent_functions))

  widgets = [
    {
      type = "metric", x = 0, y = 0, width = 8, height = 6
      properties = {
        title   = "Turns and escalations"
        region  = local.region
        stat    = "Sum"
        period  = 60
        metrics = [[var.metrics_namespace, "Turns", local.emf[0], local.emf[1]], [".", "Escalations", ".", "."]]
      }
    },
    {
      type = "metric", x = 8, y = 0, width = 8, height = 6
      properties = {
        title  = "Turn latency (ms)"
        region = local.region
        period = 60
        metrics = [
          [var.metrics_namespace, "TurnLatency", local.emf[0], local.emf[1], { stat = "p50", label = "p50" }],
          ["...", { stat = "p95", label = "p95" }],
        ]
        annotations = { horizontal = [{ label = "p95 alarm", value = var.turn_latency_p95_threshold_ms }] }
      }
    },
    {
      type = "metric", x = 16, y = 0, width = 8, height = 6
      properties = {
        title  = "Degraded share (%)"
        region = local.region
        period = 300
        metrics = [
          [{ expression = "IF(turns > 0, 100 * degraded / turns, 0)", label = "degraded %", id = "share" }],
          [var.metrics_namespace, "Turns", local.emf[0], local.emf[1], { stat = "Sum", id = "turns", visible = false }],
          [var.metrics_namespace, "DegradedTurns", local.emf[0], local.emf[1], { stat = "Sum", id = "degraded", visible = false }],
        ]
        yAxis = { left = { min = 0, max = 100 } }
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title   = "Agent errors"
        region  = local.region
        stat    = "Sum"
        period  = 60
        metrics = [for a in local.agents : ["AWS/Lambda", "Errors", "FunctionName", var.agent_functions[a], { label = a }]]
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title   = "Agent duration p95 (ms)"
        region  = local.region
        stat    = "p95"
        period  = 60
        metrics = [for a in local.agents : ["AWS/Lambda", "Duration", "FunctionName", var.agent_functions[a], { label = a }]]
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 12, height = 6
      properties = {
        title   = "Agent latency inside a turn p95 (ms, EMF)"
        region  = local.region
        stat    = "p95"
        period  = 60
        metrics = [for a in local.agents : [var.metrics_namespace, "AgentLatency_${a}", local.emf[0], local.emf[1], { label = a }]]
      }
    },
    {
      type = "metric", x = 12, y = 12, width = 12, height = 6
      properties = {
        title   = "DLQ depths"
        region  = local.region
        stat    = "Maximum"
        period  = 60
        metrics = [for a in local.agents : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_names[a], { label = a }]]
      }
    },
    {
      type = "metric", x = 0, y = 18, width = 12, height = 6
      properties = {
        title   = "Oldest message age (s)"
        region  = local.region
        stat    = "Maximum"
        period  = 60
        metrics = [for a in local.agents : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.queue_names[a], { label = a }]]
      }
    },
    {
      type = "metric", x = 12, y = 18, width = 12, height = 6
      properties = {
        title  = "WebSocket API"
        region = local.region
        stat   = "Sum"
        period = 60
        metrics = [
          ["AWS/ApiGateway", "ConnectCount", "ApiId", var.api_id, "Stage", var.stage_name],
          [".", "MessageCount", ".", ".", ".", "."],
          [".", "ClientError", ".", ".", ".", "."],
          [".", "IntegrationError", ".", ".", ".", "."],
          [".", "ExecutionError", ".", ".", ".", "."],
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = "${var.name}-${local.region}" # dashboards are global per account
  dashboard_body = jsonencode({ widgets = local.widgets })
}
