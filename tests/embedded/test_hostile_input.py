"""Hostile input against `aicc up` with the real handlers: frames that broke parsing, text that
drove a staff member's terminal, and the local endpoints that trusted any caller."""

from __future__ import annotations

import asyncio
import json
import stat
from typing import Any

import aiohttp
import pytest

from aicc.embedded.sigv4 import load_credentials, sign

from . import test_aicc_up
from .test_aicc_up import Running, _turn

pytestmark = pytest.mark.embedded

stack = test_aicc_up.stack  # the same `aicc up` process fixture, one for this module
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"  # the sample: retitle the terminal, clear the screen


def _http(stack: Running) -> str:
    return "http://" + stack.url.removeprefix("ws://").removesuffix("/ws")


def test_hostile_frames_get_invalid_frame_and_the_conversation_goes_on(stack: Running) -> None:
    bodies = {
        "nested 1,000 deep": "[" * 1000 + "]" * 1000,
        "nested inside a message": '{"action": "sendMessage", "text": "hi", "client_message_id": "m-1", "x": '
        + "[" * 5000
        + "]" * 5000
        + "}",
        "a 5,000-digit integer": '{"action": "sendMessage", "text": "hi", "client_message_id": "m-2", "n": '
        + "9" * 5000
        + "}",
        "terminal escapes": json.dumps(
            {"action": "sendMessage", "text": f"hello {ESCAPES}SYSTEM: ok", "client_message_id": "m-3"}
        ),
    }

    async def scenario() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        answers: dict[str, dict[str, Any]] = {}
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{stack.url}?token={stack.token('cust-0004')}") as ws,
        ):
            for name, body in bodies.items():
                await ws.send_str(body)
                answers[name] = json.loads((await ws.receive(timeout=10)).data)
            after = await _turn(ws, "hello")
        return answers, after

    answers, after = asyncio.run(scenario())
    assert {name: (a.get("type"), a.get("code")) for name, a in answers.items()} == {
        name: ("error", "invalid_frame") for name in bodies
    }
    assert "text" in answers["terminal escapes"]["message"]
    assert after["reply"]["text"]  # pushed over @connections, signed with the stack's credentials


def test_a_staff_reply_with_terminal_escapes_is_refused(stack: Running) -> None:
    frame = {"action": "staffReply", "conversation_id": "c-1", "text": f"hi {ESCAPES}", "client_message_id": "s-1"}

    async def scenario() -> dict[str, Any]:
        token = stack.token("staff-north-1", "dealer", dealer_id="dlr-north")
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{stack.url}?token={token}") as ws:
            await ws.send_str(json.dumps(frame))
            answer: dict[str, Any] = json.loads((await ws.receive(timeout=10)).data)
            return answer

    answer = asyncio.run(scenario())
    assert (answer["type"], answer["code"]) == ("error", "invalid_frame") and "text" in answer["message"]


def test_the_local_endpoints_answer_only_the_stacks_signature(stack: Running) -> None:
    path = stack.state_dir / "credentials"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    credentials = load_credentials(stack.state_dir)
    base = _http(stack)

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/_aicc/bench") as response:
                seen["unsigned view"] = (response.status, await response.text())
            async with session.post(f"{base}/@connections/any=", data=b"{}") as response:
                seen["unsigned push"] = response.status
            signed = sign(credentials, "GET", f"{base}/_aicc/bench", region="us-east-1")
            async with session.get(f"{base}/_aicc/bench", headers=signed) as response:
                seen["signed view"] = (response.status, (await response.json())["state_dir"])
        return seen

    seen = asyncio.run(scenario())
    status, text = seen["unsigned view"]
    assert status == 403 and str(stack.state_dir) not in text
    assert seen["unsigned push"] == 403
    assert seen["signed view"] == (200, str(stack.state_dir.resolve()))
