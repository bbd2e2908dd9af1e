"""Create the bus, rules -> queues (+ DLQs), archive and tables from the choreography manifest.

Used by `aicc up` against moto's server and by the test fixtures against in-process moto; both
get exactly the topology Terraform builds on AWS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aicc.runtime.tables import TABLES, TableSpec, create_table_kwargs
from contracts.manifest import Manifest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import InputTransformerTypeDef
    from mypy_boto3_sqs import SQSClient


# Deliver the whole event, envelope included: moto's default body lacks `account`, and handlers
# parse the full EventBridge envelope. The same transformer is valid (and used) on AWS.
FULL_EVENT_TRANSFORMER: InputTransformerTypeDef = {"InputPathsMap": {}, "InputTemplate": "<aws.events.event.json>"}


@dataclass
class Provisioned:
    bus_name: str
    bus_arn: str
    archive_name: str
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    dlq_urls: dict[str, str] = field(default_factory=dict)
    # agent -> its turn-deadline queue (url, arn), for agents that send to their own queue
    deadline_queues: dict[str, tuple[str, str]] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    knowledge_bucket: str | None = None

    def env(self) -> dict[str, str]:
        """Environment the handlers need to find what was provisioned."""
        env = {
            "AICC_BUS_NAME": self.bus_name,
            "AICC_DEADLINE_QUEUE_URL": self.deadline_queues.get("aggregator", ("", ""))[0],
        }
        if self.knowledge_bucket:
            env["AICC_KNOWLEDGE_BUCKET"] = self.knowledge_bucket
        return env


def provision(
    manifest: Manifest,
    *,
    events: EventBridgeClient,
    sqs: SQSClient,
    dynamodb: DynamoDBClient,
    prefix: str = "aicc-",
    bus_name: str | None = None,
    s3: Any | None = None,
) -> Provisioned:
    bus_name = bus_name or manifest.bus_name
    bus_arn = _ensure_bus(events, bus_name)
    archive_name = f"{bus_name}-archive"
    _ensure_archive(events, archive_name, bus_arn)
    result = Provisioned(bus_name=bus_name, bus_arn=bus_arn, archive_name=archive_name)

    for agent in manifest.agents:
        dlq_url = sqs.create_queue(
            QueueName=prefix + agent.dlq_name, Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)}
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_name = prefix + agent.queue_name
        queue_url = sqs.create_queue(
            QueueName=queue_name,
            Attributes={
                "VisibilityTimeout": str(agent.visibility_timeout_s),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": agent.max_receive_count}
                ),
            },
        )["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": _queue_policy(queue_arn, bus_name)})
        result.queue_urls[agent.name] = queue_url
        result.queue_arns[agent.name] = queue_arn
        result.dlq_urls[agent.name] = dlq_url
        if agent.sends_to_own_queue:
            # The turn deadlines on a queue of their own, clear of the results' backlog (aicc.agents.overload).
            deadline_url = sqs.create_queue(
                QueueName=f"{prefix}{agent.name}-deadlines",
                Attributes={
                    "VisibilityTimeout": str(agent.visibility_timeout_s),
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": agent.max_receive_count}
                    ),
                },
            )["QueueUrl"]
            deadline_arn = sqs.get_queue_attributes(QueueUrl=deadline_url, AttributeNames=["QueueArn"])
            result.deadline_queues[agent.name] = (deadline_url, deadline_arn["Attributes"]["QueueArn"])

        for sub in agent.consumes:
            rule = agent.rule_name(sub)
            events.put_rule(Name=rule, EventBusName=bus_name, EventPattern=json.dumps(sub.pattern), State="ENABLED")
            events.put_targets(
                Rule=rule,
                EventBusName=bus_name,
                Targets=[{"Id": "queue", "Arn": queue_arn, "InputTransformer": FULL_EVENT_TRANSFORMER}],
            )

    if s3 is not None:
        bucket = f"{prefix}knowledge"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        result.knowledge_bucket = bucket

    existing = set(dynamodb.list_tables().get("TableNames", []))
    for spec in TABLES.values():
        name = prefix + spec.name
        result.tables[spec.name] = name
        if name in existing:
            _add_missing_indexes(dynamodb, spec, prefix)
            continue
        dynamodb.create_table(**create_table_kwargs(spec, prefix))
        if spec.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
            )
    return result


def _add_missing_indexes(dynamodb: DynamoDBClient, spec: TableSpec, prefix: str) -> None:
    """A table kept from an earlier version (the embedded default keeps its data) gets the indexes
    this version added, as Terraform adds them to a deployed table in place."""
    wanted = create_table_kwargs(spec, prefix)
    have = {
        i["IndexName"]
        for i in dynamodb.describe_table(TableName=wanted["TableName"])["Table"].get("GlobalSecondaryIndexes", [])
    }
    for index in wanted.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        dynamodb.update_table(
            TableName=wanted["TableName"],
            AttributeDefinitions=wanted["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["IndexName"],
                        "KeySchema": index["KeySchema"],
                        "Projection": index["Projection"],
                    }
                }
            ],
        )


def _ensure_bus(events: EventBridgeClient, bus_name: str) -> str:
    try:
        return str(events.describe_event_bus(Name=bus_name)["Arn"])
    except events.exceptions.ResourceNotFoundException:
        return str(events.create_event_bus(Name=bus_name)["EventBusArn"])


def _ensure_archive(events: EventBridgeClient, archive_name: str, bus_arn: str) -> None:
    try:
        events.describe_archive(ArchiveName=archive_name)
    except events.exceptions.ResourceNotFoundException:
        events.create_archive(ArchiveName=archive_name, EventSourceArn=bus_arn, RetentionDays=7)


def _queue_policy(queue_arn: str, bus_name: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "bus-delivers",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:*:rule/{bus_name}/*"}},
                }
            ],
        }
    )
