"""Helpers for the API Gateway WebSocket route handlers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from contracts.common import Contract
from contracts.frames import ErrorCode, ErrorFrame

A = TypeVar("A", bound=Contract)

# What a hostile but size-capped JSON body can make parsing raise: malformed JSON (JSONDecodeError),
# an integer past Python's int max-str-digits (ValueError), nesting deeper than the interpreter's
# recursion limit (RecursionError).
HOSTILE_JSON_ERRORS = (ValueError, RecursionError)


def json_object(body: str | None) -> dict[str, Any] | None:
    """A client frame's JSON object, or None when the body is not one (whatever it holds)."""
    try:
        parsed = json.loads(body or "")
    except HOSTILE_JSON_ERRORS:
        return None
    return parsed if isinstance(parsed, dict) else None


def invalid_fields(exc: ValidationError, client_message_id: str | None = None) -> dict[str, Any]:
    """The `invalid_frame` answer naming the fields a frame got wrong (text with control characters
    says so: a client may show it)."""
    errors = exc.errors()
    fields = sorted({".".join(str(p) for p in e.get("loc", ())) or "frame" for e in errors})
    if any(e.get("loc") == ("text",) and e.get("type") == "string_pattern_mismatch" for e in errors):
        message = "text may not contain control characters other than newline and tab"
        return error_response("invalid_frame", message, client_message_id)
    return error_response("invalid_frame", f"invalid fields: {', '.join(fields)}", client_message_id)


def caller(event: dict[str, Any]) -> tuple[str, str, str | None]:
    """(user_id, role, dealer_id) from the authorizer context API Gateway attaches to every route."""
    ctx = event.get("requestContext", {}).get("authorizer") or {}
    user_id = ctx.get("user_id") or ctx.get("principalId")
    if not user_id:
        raise PermissionError("no authorizer context")
    return str(user_id), str(ctx.get("role") or "customer"), (ctx.get("dealer_id") or None)


def frame_response(frame: Any, status: int = 200) -> dict[str, Any]:
    """A route response: API Gateway sends `body` back over the socket as one frame."""
    return {"statusCode": status, "body": frame.model_dump_json()}


def error_response(code: ErrorCode, message: str, client_message_id: str | None = None) -> dict[str, Any]:
    return frame_response(ErrorFrame(code=code, message=message, client_message_id=client_message_id), status=200)


def parse_action(
    event: dict[str, Any], actions: Mapping[str, type[A]], expected: str
) -> tuple[A, tuple[str, str, str | None]] | dict[str, Any]:
    """The frame as one of `actions` (keyed by `action`) and its caller, or the error response:
    `invalid_frame` for another frame or bad fields, `forbidden` without an authorizer context."""
    body = json_object(event.get("body"))
    action_name = body.get("action") if body is not None else None
    model = actions.get(action_name) if isinstance(action_name, str) else None
    if body is None or model is None:
        return error_response("invalid_frame", expected)
    try:
        action = model.model_validate(body)
    except ValidationError as exc:
        return invalid_fields(exc)
    try:
        return action, caller(event)
    except PermissionError:
        return error_response("forbidden", "not authorised")
