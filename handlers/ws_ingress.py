"""WebSocket `sendMessage` (and `$default`): validate, persist, ack, publish ConversationReceived.

Bad input gets an `error` frame and publishes nothing; the connection stays up.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.admission import DynamoDBAdmission
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.agents.ingress import Ingress, Message, Sender
from aicc.agents.overload import Gate, busy_frame
from aicc.agents.staffdesk import QueuePush
from aicc.ports.conversations import NoSuchConversation, NotYourConversation
from aicc.runtime.bus import EventBridgeBus, publish
from aicc.runtime.clients import warm
from aicc.runtime.websocket import caller, error_response, frame_response, invalid_fields, json_object
from contracts.frames import MAX_TEXT_CHARS, SendMessage

logger = Logger(service="ws-ingress")
SOURCE = "aicc.ingress"
gate = Gate(DynamoDBAdmission(), EventBridgeBus(), deadlines=bool(os.environ.get("AICC_DEADLINE_QUEUE_URL")))
connections = DynamoDBConnections()
pusher = ApiGatewayPusher(connections)
handoff = DynamoDBHandoff()
ingress = Ingress(DynamoDBConversations(), pusher, handoff=handoff, queue_push=QueuePush(handoff, connections, pusher))
warm("events")  # at import, with the adapters' clients: the init phase pays, a snapshot holds them


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = _parse(event)
    if isinstance(parsed, dict):
        return parsed  # an error frame
    message, sender = parsed
    if not gate.admit():
        return frame_response(busy_frame(message.client_message_id))
    try:
        accepted = ingress.accept(message, sender)
        received = gate.hand_on(accepted, arrived_at=_arrived_at(event))
    except NoSuchConversation:
        gate.release()
        return error_response("not_found", "no such conversation: start a new one", message.client_message_id)
    except NotYourConversation:
        gate.release()
        return error_response("forbidden", "that conversation is not yours", message.client_message_id)
    except BaseException:
        gate.release()
        raise
    # A refused publish is still answered: its deadline, scheduled above, carries the message.
    if received and publish([received], source=SOURCE):
        raise RuntimeError("the bus refused ConversationReceived")  # API Gateway retries nothing: surface it
    logger.info(
        f"message {accepted.outcome}",
        extra={"turn_id": accepted.ack.turn_id, "chars": len(message.text), "delivered": accepted.delivered},
    )
    return frame_response(accepted.ack)


def _arrived_at(event: dict[str, Any]) -> float | None:
    """When the frame reached API Gateway (epoch seconds): the turn's deadline counts from then."""
    epoch_ms = event["requestContext"].get("requestTimeEpoch")
    return epoch_ms / 1000 if isinstance(epoch_ms, int | float) else None


def _parse(event: dict[str, Any]) -> tuple[Message, Sender] | dict[str, Any]:
    """The message and its sender, or the error frame's response."""
    ctx = event["requestContext"]
    body = json_object(event.get("body"))
    if body is None:
        return error_response("invalid_frame", "the frame must be a JSON object")
    client_message_id = body.get("client_message_id") if isinstance(body.get("client_message_id"), str) else None
    if ctx.get("routeKey") == "$default" or body.get("action") != "sendMessage":
        return error_response("unknown_action", "supported actions: sendMessage", client_message_id)
    try:
        frame = SendMessage.model_validate(body)
    except ValidationError as exc:
        return _invalid(exc, client_message_id)
    text = frame.text.strip()
    if not text:
        return error_response("invalid_frame", "text is empty", frame.client_message_id)
    try:
        user_id, role, dealer_id = caller(event)
    except PermissionError:
        return error_response("forbidden", "not authorised", frame.client_message_id)
    message = Message(
        text=text,
        client_message_id=frame.client_message_id,
        conversation_id=frame.conversation_id,
        connection_id=ctx["connectionId"],
        causation_id=str(ctx.get("requestId") or ctx.get("messageId") or frame.client_message_id),
    )
    return message, Sender(user_id, role, dealer_id)


def _invalid(exc: ValidationError, client_message_id: str | None) -> dict[str, Any]:
    for error in exc.errors():
        if error.get("loc") == ("text",) and error.get("type") == "string_too_long":
            return error_response(
                "message_too_large", f"text is limited to {MAX_TEXT_CHARS} characters", client_message_id
            )
    return invalid_fields(exc, client_message_id)
