# One agent of the choreography manifest (terraform/manifest.json):
#   EventBridge rule(s) with the manifest's pattern -> SQS queue (+ DLQ) -> Lambda (event-source mapping),
# with a role that may publish only the agent's own `source` and touch only the agent's tables.

locals {
  agent = var.agent
  # Rule names are unique per bus, so the manifest's names are used as they are.
  rules = { for sub in local.agent.consumes : sub.rule_name => sub }

  table_arns = [for t in local.agent.tables : var.table_arns[t]]

  statements = concat(
    [{
      sid        = "ConsumeOwnQueue"
      actions    = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      resources  = concat([aws_sqs_queue.queue.arn], aws_sqs_queue.deadlines[*].arn)
      conditions = []
    }],
    # (`[for s in [...] : s if cond]` keeps a statement only when cond holds.)
    [for s in [{
      sid       = "PublishOwnSourceOnly"
      actions   = ["events:PutEvents"]
      resources = [var.bus_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "events:source"
        values   = [local.agent.source]
      }]
    }] : s if length(local.agent.emits) > 0],
    [for s in [{
      sid = "OwnTables"
      actions = [
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
      ]
      resources  = concat(local.table_arns, [for arn in local.table_arns : "${arn}/index/*"])
      conditions = []
    }] : s if length(local.table_arns) > 0],
    [for s in [{
      sid        = "TurnDeadlineToOwnQueue"
      actions    = ["sqs:SendMessage"]
      resources  = aws_sqs_queue.deadlines[*].arn
      conditions = []
    }] : s if local.agent.sends_to_own_queue],
    [for s in [{
      sid        = "PushToConnections"
      actions    = ["execute-api:ManageConnections"]
      resources  = ["${var.websocket_execution_arn}/${var.websocket_stage}/*/@connections/*"]
      conditions = []
    }] : s if local.agent.pushes_to_connections],
    var.extra_policy_statements,
  )

  environment = merge(
    var.environment,
    {
      POWERTOOLS_SERVICE_NAME = local.agent.name
    },
    { for k, v in { AICC_DEADLINE_QUEUE_URL = one(aws_sqs_queue.deadlines[*].url) } : k => v if local.agent.sends_to_own_queue },
    { for k, v in { AICC_CALLBACK_URL = var.callback_url } : k => v if local.agent.pushes_to_connections },
  )
}

# --- queues ---------------------------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name_prefix}${local.agent.dlq_name}"
  message_retention_seconds = 1209600 # 14 days, the maximum: time to find the bug and re-drive
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "queue" {
  name                       = "${var.name_prefix}${local.agent.queue_name}"
  visibility_timeout_seconds = local.agent.visibility_timeout_s
  message_retention_seconds  = 345600 # 4 days
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = local.agent.max_receive_count
  })
  tags = var.tags
}

# The turn deadlines (aicc.agents.overload): delayed messages on a queue of their own, so no backlog of
# results waits in front of them. The ingress and the agent itself send them; the agent consumes them.
resource "aws_sqs_queue" "deadlines" {
  count                      = local.agent.sends_to_own_queue ? 1 : 0
  name                       = "${var.name_prefix}${local.agent.name}-deadlines"
  visibility_timeout_seconds = local.agent.visibility_timeout_s
  message_retention_seconds  = 3600 # a deadline is seconds; an hour-old one only finds its turn answered
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = local.agent.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = concat([aws_sqs_queue.queue.arn], aws_sqs_queue.deadlines[*].arn)
  })
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "BusDeliversThroughOwnRules"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.queue.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.this : rule.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "queue" {
  queue_url = aws_sqs_queue.queue.id
  policy    = data.aws_iam_policy_document.queue.json
}

# EventBridge puts an event it could not deliver (after its retries) on the DLQ as well.
data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "BusDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.this : rule.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}

# --- rules ----------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "this" {
  for_each       = local.rules
  name           = each.value.rule_name
  description    = "${local.agent.name} consumes: ${each.value.name} (contracts/manifest.py)"
  event_bus_name = var.bus_name
  event_pattern  = jsonencode(each.value.pattern)
  state          = "ENABLED"
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each       = local.rules
  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = var.bus_name
  target_id      = "queue"
  arn            = aws_sqs_queue.queue.arn

  # Handlers parse the whole EventBridge envelope: deliver the full event as the message body.
  input_transformer {
    input_template = "<aws.events.event.json>"
  }

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
}

# --- function -------------------------------------------------------------------------------------

module "function" {
  source = "../function"

  function_name        = "${var.name_prefix}${local.agent.name}"
  description          = "aicc agent ${local.agent.name}: emits ${join(", ", local.agent.emits)}"
  handler              = local.agent.handler
  runtime              = var.runtime
  timeout_s            = local.agent.timeout_s
  reserved_concurrency = var.reserved_concurrency
  # contracts/sizing.py, through the stack: memory, SnapStart, provisioned concurrency.
  memory_mb               = var.sizing.memory_mb
  snap_start              = var.sizing.snap_start
  provisioned_concurrency = var.sizing.provisioned_concurrency
  code_zip                = var.code_zip
  layers                  = var.layers
  environment             = local.environment
  policy_statements       = local.statements
  log_retention_days      = var.log_retention_days
  alarm_actions           = var.alarm_actions
  tags                    = var.tags
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn = aws_sqs_queue.queue.arn
  # The alias (a qualified ARN): the published version, restored from its snapshot when cold.
  function_name                      = module.function.alias_arn
  batch_size                         = local.agent.batch_size
  maximum_batching_window_in_seconds = local.agent.batching_window_s
  function_response_types            = ["ReportBatchItemFailures"]
  enabled                            = true

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }
}

resource "aws_lambda_event_source_mapping" "deadlines" {
  count            = local.agent.sends_to_own_queue ? 1 : 0
  event_source_arn = aws_sqs_queue.deadlines[0].arn
  function_name    = module.function.alias_arn
  # One deadline per invocation: in a batch the last turn would wait for the others' replies.
  batch_size              = 1
  function_response_types = ["ReportBatchItemFailures"]
  enabled                 = true
}

# --- alarms ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  alarm_name          = "${var.name_prefix}${local.agent.dlq_name}-depth"
  alarm_description   = "Messages in ${local.agent.dlq_name}: ${local.agent.name} gave up on them. Fix, then re-drive the DLQ."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "oldest_message" {
  alarm_name          = "${var.name_prefix}${local.agent.queue_name}-oldest-message"
  alarm_description   = "The oldest message in ${local.agent.queue_name} waits too long: ${local.agent.name} is down, throttled or failing."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.queue.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.oldest_message_age_threshold_s
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}
