"""WebSocket `sendMessage` (and `$default`): validate, persist, ack, publish ConversationReceived.

Bad input gets an `error` frame and publishes nothing; the connection stays up.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from aicc.runtime.bus import publish
from aicc.runtime.conversations import NotYourConversation, start_turn
from aicc.runtime.push import push_to_user
from aicc.runtime.websocket import caller, error_response, frame_response
from contracts.events import ConversationReceived, EventMeta
from contracts.frames import MAX_TEXT_CHARS, AckFrame, MessageFrame, SendMessage

logger = Logger(service="ws-ingress")
SOURCE = "aicc.ingress"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = event["requestContext"]
    try:
        body = json.loads(event.get("body") or "")
    except json.JSONDecodeError:
        return error_response("invalid_frame", "the frame is not JSON")
    if not isinstance(body, dict):
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

    try:
        turn = start_turn(
            conversation_id=frame.conversation_id,
            user_id=user_id,
            role=role,
            client_message_id=frame.client_message_id,
            text=text,
        )
    except NotYourConversation:
        return error_response("forbidden", "that conversation is not yours", frame.client_message_id)

    ack = AckFrame(
        client_message_id=frame.client_message_id, conversation_id=turn.conversation_id, turn_id=turn.turn_id
    )
    if turn.duplicate:
        # The client retried a message we already accepted: ack it again, publish nothing.
        logger.info("duplicate message", extra={"turn_id": turn.turn_id})
        return frame_response(ack)
    if turn.staff_owner:
        # A person owns this conversation: relay to them, the bot stays silent.
        relay = MessageFrame(
            conversation_id=turn.conversation_id,
            sender="customer",
            sender_id=user_id,
            text=text,
            at=datetime.now(UTC).isoformat(),
            client_message_id=frame.client_message_id,
        )
        delivered = push_to_user(turn.staff_owner, relay.model_dump_json())
        logger.info("relayed to staff", extra={"turn_id": turn.turn_id, "delivered": delivered})
        return frame_response(ack)

    received = ConversationReceived(
        meta=EventMeta(
            turn_id=turn.turn_id,
            conversation_id=turn.conversation_id,
            customer_id=user_id,
            causation_id=str(ctx.get("requestId") or ctx.get("messageId") or frame.client_message_id),
            producer="ingress",
            occurred_at=datetime.now(UTC),
            flow=turn.flow,
        ),
        text=text,
        client_message_id=frame.client_message_id,
        connection_id=ctx["connectionId"],
        role=role,
        dealer_id=dealer_id,
    )
    if publish([received], source=SOURCE):
        raise RuntimeError("the bus refused ConversationReceived")  # API Gateway retries nothing: surface it
    logger.info("message accepted", extra={"turn_id": turn.turn_id, "chars": len(text)})
    return frame_response(ack)


def _invalid(exc: ValidationError, client_message_id: str | None) -> dict[str, Any]:
    for error in exc.errors():
        if error.get("loc") == ("text",) and error.get("type") == "string_too_long":
            return error_response(
                "message_too_large", f"text is limited to {MAX_TEXT_CHARS} characters", client_message_id
            )
    fields = sorted({".".join(str(p) for p in e.get("loc", ())) or "frame" for e in exc.errors()})
    return error_response("invalid_frame", f"invalid fields: {', '.join(fields)}", client_message_id)
