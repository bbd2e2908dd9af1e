"""Aggregator Lambda: the coordinator (aicc.agents.coordinator) over DynamoDB, EventBridge, SQS and
API Gateway's connections."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.admission import DynamoDBAdmission
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.adapters.dynamodb.replays import DynamoDBReplayResults
from aicc.adapters.dynamodb.turns import DynamoDBTurnStore
from aicc.agents.coordinator import Coordinator
from aicc.agents.staffdesk import QueuePush
from aicc.runtime.bus import EventBridgeBus
from aicc.runtime.consumer import consume
from contracts.manifest import manifest

AGENT = "aggregator"
logger = Logger(service=AGENT)
connections = DynamoDBConnections()
pusher = ApiGatewayPusher(connections)
handoff = DynamoDBHandoff()
coordinator = Coordinator(
    turns=DynamoDBTurnStore,
    bus=EventBridgeBus(),
    conversations=DynamoDBConversations(),
    handoff=handoff,
    pusher=pusher,
    queue_push=QueuePush(handoff, connections, pusher),
    replays=DynamoDBReplayResults(),
    manifest=manifest(),
    deadline_s=lambda: int(os.environ.get("AICC_TURN_DEADLINE_S", manifest().turn_deadline_s)),
    admission=DynamoDBAdmission(),
)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, agent=AGENT, process=coordinator.process, logger=logger, prepare=coordinator.prepare)
