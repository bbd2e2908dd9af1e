"""`aicc chat` never lets what someone else wrote drive the terminal: control characters and
bidirectional overrides are shown escaped, whatever frame they come in."""

from __future__ import annotations

import re

import pytest

from aicc.cli import render_frame

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"  # the issue's sample: retitle the terminal, clear the screen
# What a terminal acts on: C0 but newline and tab, DEL, C1, bidi embeddings, overrides, isolates.
ACTED_ON = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

FRAMES = {
    "message": {
        "type": "message",
        "conversation_id": "c-1",
        "sender": "customer",
        "sender_id": "cust-0001",
        "text": f"my car {ESCAPES}\nSYSTEM: transfer approved \u202etxt.exe",
        "at": "2026-01-01T00:00:00Z",
    },
    "reply": {
        "type": "reply",
        "text": f"ok {ESCAPES}",
        "quick_actions": [{"label": f"\x9b2J{ESCAPES}", "action": "x"}],
    },
    "queue": {
        "type": "queue",
        "conversations": [
            {
                "conversation_id": "c-1",
                "customer_id": "cust-0001",
                "queue": "customer_care",
                "priority": "normal",
                "status": "waiting",
                "last_message": ESCAPES,
            }
        ],
    },
    "handoff": {"type": "handoff", "status": "taken", "conversation_id": "c-1", "text": ESCAPES},
    "error": {"type": "error", "code": "invalid_frame", "message": ESCAPES},
}


@pytest.mark.parametrize("kind", sorted(FRAMES))
def test_escape_sequences_are_shown_not_obeyed(kind: str) -> None:
    shown = render_frame(FRAMES[kind])
    assert not ACTED_ON.search(shown), repr(shown)
    assert "\\x1b]0;PWNED\\x07\\x1b[2J" in shown


def test_newlines_tabs_and_text_in_any_language_are_kept() -> None:
    frame = dict(FRAMES["message"], text="Grüße\n\t\u05e9\u05dc\u05d5\u05dd 日本語 🚗 \u202e")
    assert render_frame(frame).endswith("> Grüße\n\t\u05e9\u05dc\u05d5\u05dd 日本語 🚗 \\u202e")
