"""WebSocket staff actions (role dealer or oem_staff): list the queue, take a conversation,
reply to the customer over their socket, hand the conversation back to the bot."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from aicc.runtime import handoff
from aicc.runtime.push import push_to_user
from aicc.runtime.websocket import caller, error_response, frame_response
from contracts.frames import HandBack, HandoffFrame, ListQueue, MessageFrame, QueueFrame, StaffReply, TakeConversation

logger = Logger(service="ws-staff")
ACTIONS: dict[str, type[ListQueue | TakeConversation | StaffReply | HandBack]] = {
    "listQueue": ListQueue,
    "takeConversation": TakeConversation,
    "staffReply": StaffReply,
    "handBack": HandBack,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        body = json.loads(event.get("body") or "")
        model = ACTIONS[body["action"]]
        action = model.model_validate(body)
    except (json.JSONDecodeError, KeyError, TypeError):
        return error_response("invalid_frame", "expected a staff action frame")
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()})
        return error_response("invalid_frame", f"invalid fields: {', '.join(fields)}")
    try:
        user_id, role, dealer_id = caller(event)
    except PermissionError:
        return error_response("forbidden", "not authorised")
    if role not in ("dealer", "oem_staff"):
        return error_response("forbidden", "staff actions need the dealer or oem_staff role")
    staff = handoff.Staff(user_id=user_id, role=role, dealer_id=dealer_id)
    try:
        return _act(action, staff)
    except handoff.HandoffError as exc:
        return error_response(exc.code, str(exc) or exc.code)  # type: ignore[arg-type]


def _act(action: Any, staff: handoff.Staff) -> dict[str, Any]:
    if isinstance(action, ListQueue):
        return frame_response(QueueFrame(conversations=handoff.list_queue(staff)))
    if isinstance(action, TakeConversation):
        entry = handoff.take(action.conversation_id, staff)
        logger.info("conversation taken", extra={"conversation_id": entry.conversation_id, "queue": entry.queue})
        return frame_response(
            HandoffFrame(
                conversation_id=entry.conversation_id,
                status="taken",
                queue=entry.queue,
                agent_id=staff.user_id,
                text=f"You now answer conversation {entry.conversation_id}.",
            )
        )
    if isinstance(action, StaffReply):
        entry = handoff.owned(action.conversation_id, staff)
        message = MessageFrame(
            conversation_id=entry.conversation_id,
            sender="staff",
            sender_id=staff.user_id,
            text=action.text,
            at=datetime.now(UTC).isoformat(),
            client_message_id=action.client_message_id,
        )
        fresh = handoff.record_message(
            entry.conversation_id,
            sender="staff",
            sender_id=staff.user_id,
            text=action.text,
            at=message.at,
            message_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{staff.user_id}:{action.client_message_id}")),
        )
        # A retried frame is answered again but not delivered twice.
        delivered = push_to_user(entry.customer_id, message.model_dump_json()) if fresh else 0
        logger.info("staff reply", extra={"conversation_id": entry.conversation_id, "delivered": delivered})
        return frame_response(message)
    assert isinstance(action, HandBack)
    entry = handoff.hand_back(action.conversation_id, staff)
    return frame_response(
        HandoffFrame(
            conversation_id=entry.conversation_id,
            status="returned",
            queue=entry.queue,
            agent_id=staff.user_id,
            text="The assistant answers this conversation again.",
        )
    )
