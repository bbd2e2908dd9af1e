"""WebSocket staff actions (role dealer or oem_staff): list the queue, take a conversation,
reply to the customer over their socket, hand the conversation back to the bot."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.agents.staffdesk import HandoffError, QueuePush, Staff, StaffAction, StaffDesk
from aicc.runtime.websocket import error_response, frame_response, parse_action
from contracts.frames import HandBack, ListQueue, StaffReply, TakeConversation

logger = Logger(service="ws-staff")
connections = DynamoDBConnections()
pusher = ApiGatewayPusher(connections)
handoff = DynamoDBHandoff()
desk = StaffDesk(handoff, pusher, queue_push=QueuePush(handoff, connections, pusher))
ACTIONS: dict[str, type[StaffAction]] = {
    "listQueue": ListQueue,
    "takeConversation": TakeConversation,
    "staffReply": StaffReply,
    "handBack": HandBack,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_action(event, ACTIONS, "expected a staff action frame")
    if isinstance(parsed, dict):
        return parsed  # an error frame
    action, (user_id, role, dealer_id) = parsed
    try:
        frame = desk.act(action, Staff(user_id=user_id, role=role, dealer_id=dealer_id))
    except HandoffError as exc:
        return error_response(exc.code, str(exc) or exc.code)  # type: ignore[arg-type]
    logger.info("staff action", extra={"action": action.action, "frame": frame.type})
    return frame_response(frame)
