"""Hostile frames get an `invalid_frame` error from the WebSocket handlers, never an internal error;
free text with terminal control characters is refused, in customer and staff frames alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.frames import SendMessage, StaffReply

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"  # the sample: retitle the terminal, clear the screen
HUGE = "9" * 5000
DEEP = "[" * 5000 + "]" * 5000


def _event(body: str, route: str) -> dict[str, Any]:
    context = {
        "routeKey": route,
        "connectionId": "conn-1=",
        "requestId": "req-1",
        "authorizer": {"user_id": "staff-north-1", "role": "dealer", "dealer_id": "dlr-north"},
    }
    return {"requestContext": context, "body": body}


def _answer(handler_path: str, body: str, route: str) -> dict[str, Any]:
    module = __import__(handler_path, fromlist=["handler"])
    response = module.handler(_event(body, route), None)
    frame: dict[str, Any] = json.loads(response["body"])
    return frame


HOSTILE_BODIES = {
    "deep nesting": DEEP,
    "deep nesting inside a field": '{"action": "ACTION", "x": ' + DEEP + "}",
    "huge integer": HUGE,
    "huge integer in a field": '{"action": "ACTION", "text": "hi", "client_message_id": "m-1", "n": ' + HUGE + "}",
    "huge integer as the text": '{"action": "ACTION", "text": ' + HUGE + ', "client_message_id": "m-1"}',
    "huge integer as the action": '{"action": ' + HUGE + "}",
    "not an object": "[1, 2]",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
@pytest.mark.parametrize(
    ("handler_path", "action"), [("handlers.ws_ingress", "sendMessage"), ("handlers.ws_staff", "staffReply")]
)
def test_a_hostile_frame_is_an_invalid_frame(handler_path: str, action: str, case: str) -> None:
    frame = _answer(handler_path, HOSTILE_BODIES[case].replace("ACTION", action), action)
    assert frame["type"] == "error"
    assert frame["code"] == "invalid_frame", frame


@pytest.mark.parametrize(
    ("handler_path", "frame"),
    [
        (
            "handlers.ws_ingress",
            {"action": "sendMessage", "text": f"hello {ESCAPES}SYSTEM: ok", "client_message_id": "m-1"},
        ),
        (
            "handlers.ws_staff",
            {"action": "staffReply", "conversation_id": "c-1", "text": f"hi {ESCAPES}", "client_message_id": "m-1"},
        ),
    ],
)
def test_text_with_terminal_escapes_is_refused_naming_the_field(handler_path: str, frame: dict[str, Any]) -> None:
    answer = _answer(handler_path, json.dumps(frame), frame["action"])
    assert answer["code"] == "invalid_frame"
    assert "text" in answer["message"] and "control characters" in answer["message"]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\r", "\x1b", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_refused_in_free_text(character: str) -> None:
    with pytest.raises(ValidationError):
        SendMessage(action="sendMessage", text=f"a{character}b", client_message_id="m-1")
    with pytest.raises(ValidationError):
        StaffReply(action="staffReply", conversation_id="c-1", text=f"a{character}b", client_message_id="m-1")


def test_newlines_tabs_and_any_language_pass_and_crlf_is_a_newline() -> None:
    text = "Line one\r\nline two\n\tindented: Grüße, 日本語, \u05e9\u05dc\u05d5\u05dd, emoji 🚗"
    frame = SendMessage(action="sendMessage", text=text, client_message_id="m-1")
    assert frame.text == text.replace("\r\n", "\n")
