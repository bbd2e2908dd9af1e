"""WebSocket staff actions (role dealer or oem_staff): list the queue, take a conversation,
reply to the customer over their socket, hand the conversation back to the bot."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.agents.staffdesk import HandoffError, Staff, StaffAction, StaffDesk
from aicc.runtime.websocket import caller, error_response, frame_response, invalid_fields, json_object
from contracts.frames import HandBack, ListQueue, StaffReply, TakeConversation

logger = Logger(service="ws-staff")
desk = StaffDesk(DynamoDBHandoff(), ApiGatewayPusher(DynamoDBConnections()))
ACTIONS: dict[str, type[StaffAction]] = {
    "listQueue": ListQueue,
    "takeConversation": TakeConversation,
    "staffReply": StaffReply,
    "handBack": HandBack,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = json_object(event.get("body"))
    action_name = body.get("action") if body is not None else None
    model = ACTIONS.get(action_name) if isinstance(action_name, str) else None
    if body is None or model is None:
        return error_response("invalid_frame", "expected a staff action frame")
    try:
        action = model.model_validate(body)
    except ValidationError as exc:
        return invalid_fields(exc)
    try:
        user_id, role, dealer_id = caller(event)
    except PermissionError:
        return error_response("forbidden", "not authorised")
    try:
        frame = desk.act(action, Staff(user_id=user_id, role=role, dealer_id=dealer_id))
    except HandoffError as exc:
        return error_response(exc.code, str(exc) or exc.code)  # type: ignore[arg-type]
    logger.info("staff action", extra={"action": body["action"], "frame": frame.type})
    return frame_response(frame)
