"""Helpers for the API Gateway WebSocket route handlers."""

from __future__ import annotations

from typing import Any

from contracts.frames import ErrorCode, ErrorFrame


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
