"""WebSocket reads of a conversation: `getTranscript` (its customer, or staff who may see it),
`getCustomerPanel` and `getAssist` (staff). Each is answered on the same socket."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.adapters.dynamodb.records import DynamoDBConversationRecords
from aicc.agents.casefile import CaseFile, ReadAction
from aicc.agents.staffdesk import HandoffError, Staff
from aicc.runtime.websocket import caller, error_response, frame_response, invalid_fields, json_object
from contracts.frames import GetAssist, GetCustomerPanel, GetTranscript

logger = Logger(service="ws-read")
casefile = CaseFile(
    DynamoDBConversationRecords(), DynamoDBHandoff(), DynamoDBEventLog(), DynamoDBCustomers(), DynamoAppointments()
)
ACTIONS: dict[str, type[ReadAction]] = {
    "getTranscript": GetTranscript,
    "getCustomerPanel": GetCustomerPanel,
    "getAssist": GetAssist,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = json_object(event.get("body"))
    action_name = body.get("action") if body is not None else None
    model = ACTIONS.get(action_name) if isinstance(action_name, str) else None
    if body is None or model is None:
        return error_response("invalid_frame", "expected getTranscript, getCustomerPanel or getAssist")
    try:
        action = model.model_validate(body)
    except ValidationError as exc:
        return invalid_fields(exc)
    try:
        user_id, role, dealer_id = caller(event)
    except PermissionError:
        return error_response("forbidden", "not authorised")
    try:
        frame = casefile.act(action, Staff(user_id=user_id, role=role, dealer_id=dealer_id))
    except HandoffError as exc:
        return error_response(exc.code, str(exc) or exc.code)  # type: ignore[arg-type]
    logger.info("read", extra={"action": action_name, "frame": frame.type})
    return frame_response(frame)
