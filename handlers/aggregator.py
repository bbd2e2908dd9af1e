"""Aggregator Lambda: the coordinator (aicc.agents.coordinator) over DynamoDB, EventBridge, SQS and
API Gateway's connections."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.dynamodb.turns import DynamoDBTurnStore
from aicc.agents.coordinator import Coordinator
from aicc.runtime.bus import EventBridgeBus
from aicc.runtime.consumer import consume
from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded
from contracts.manifest import manifest

AGENT = "aggregator"
logger = Logger(service=AGENT)


# Interim adapters over today's functions, until the DynamoDB adapters of these ports land.
class _Conversations:
    def record_reply(
        self, conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool
    ) -> None:
        from aicc.runtime.conversations import record_reply

        record_reply(conversation_id, turn_id, reply=reply, intent=intent, degraded=degraded)


class _Handoff:
    def enter_queue(
        self,
        received: ConversationReceived,
        route: Route,
        *,
        intent: IntentDetected | None,
        profile: ProfileLoaded | None,
    ) -> str | None:
        from aicc.runtime.handoff import enter_queue

        return enter_queue(received, route, intent=intent, profile=profile)


class _Pusher:
    def push(self, connection_id: str, data: str) -> bool:
        from aicc.runtime.push import push

        return push(connection_id, data)

    def push_to_user(self, user_id: str, data: str) -> int:
        from aicc.runtime.push import push_to_user

        return push_to_user(user_id, data)


class _ReplayResults:
    def record_turn(self, replay_name: str, turn_id: str) -> None:
        from aicc.runtime.replay import record_replayed_turn

        record_replayed_turn(replay_name, turn_id)

    def record_reply(self, replay_name: str, turn_id: str, reply: dict[str, Any]) -> None:
        from aicc.runtime.replay import record_replayed_reply

        record_replayed_reply(replay_name, turn_id, reply)

    def turns(self, replay_name: str) -> tuple[set[str], dict[str, dict[str, Any]]]:
        from aicc.runtime.replay import replayed_turns

        return replayed_turns(replay_name)


coordinator = Coordinator(
    turns=DynamoDBTurnStore,
    bus=EventBridgeBus(),
    conversations=_Conversations(),
    handoff=_Handoff(),
    pusher=_Pusher(),
    replays=_ReplayResults(),
    manifest=manifest(),
    deadline_s=lambda: int(os.environ.get("AICC_TURN_DEADLINE_S", manifest().turn_deadline_s)),
)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, agent=AGENT, process=coordinator.process, logger=logger, prepare=coordinator.prepare)
