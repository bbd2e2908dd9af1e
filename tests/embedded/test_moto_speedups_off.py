"""The whole product over moto with its correctness patches only (AICC_MOTO_SPEEDUPS=0): a customer's
turn goes round the real choreography and gets its reply. A speed-up's fault and moto's own can be
told apart by running this way; the stack must not depend on a speed-up to work."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.registry import Kind
from aicc.embedded.stack import EmbeddedStack
from aicc.runtime.auth import issue_token

pytestmark = pytest.mark.embedded


def test_a_turn_is_answered_with_the_speedups_off(tmp_path: Path) -> None:
    stack = EmbeddedStack(port=0, moto_port=0, dynamodb_port=0, state_dir=tmp_path / "state", moto_speedups=False)

    async def scenario() -> dict[str, dict[str, Any]]:
        async with stack, aiohttp.ClientSession() as session:
            assert stack.dynamodb is not None
            correctness = PATCHES.names([Kind.CORRECTNESS])
            assert stack.moto.patches == correctness and stack.dynamodb.patches == correctness
            token = issue_token("cust-0001", "customer", directory=stack.state_dir)
            async with session.ws_connect(f"{stack.websocket_url}?token={token}") as ws:
                cmid = str(uuid.uuid4())
                await ws.send_str(
                    json.dumps({"action": "sendMessage", "text": "How do I pair my phone?", "client_message_id": cmid})
                )
                frames: dict[str, dict[str, Any]] = {}
                while not {"reply", "error"} & frames.keys():
                    message = await ws.receive(timeout=30)
                    assert message.type == aiohttp.WSMsgType.TEXT, message
                    frame = json.loads(message.data)
                    if frame.get("client_message_id") == cmid:
                        frames[frame["type"]] = frame
                return frames

    frames = asyncio.run(scenario())
    assert "error" not in frames, frames
    assert frames["ack"]["turn_id"] == frames["reply"]["turn_id"]
    assert frames["reply"]["text"] and not frames["reply"]["degraded"]
