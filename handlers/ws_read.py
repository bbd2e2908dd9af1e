"""WebSocket reads of a conversation: `getTranscript` (its customer, or staff who may see it),
`getCustomerPanel` and `getAssist` (staff). Each is answered on the same socket."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.adapters.dynamodb.records import DynamoDBConversationRecords
from aicc.agents.casefile import CaseFile, ReadAction
from aicc.agents.staffdesk import HandoffError, Staff
from aicc.runtime.websocket import error_response, frame_response, parse_action
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
    parsed = parse_action(event, ACTIONS, "expected getTranscript, getCustomerPanel or getAssist")
    if isinstance(parsed, dict):
        return parsed  # an error frame
    action, (user_id, role, dealer_id) = parsed
    try:
        frame = casefile.act(action, Staff(user_id=user_id, role=role, dealer_id=dealer_id))
    except HandoffError as exc:
        return error_response(exc.code, str(exc) or exc.code)  # type: ignore[arg-type]
    logger.info("read", extra={"action": action.action, "frame": frame.type})
    return frame_response(frame)
