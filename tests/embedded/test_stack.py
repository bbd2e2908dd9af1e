"""The whole embedded stack with fake agents: a message goes round the choreography and comes back."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aicc.embedded.stack import EmbeddedStack

from .fakes import GATEWAY_ROUTES, Recorder, TurnHandlers, resolver_for, two_step_manifest

pytestmark = pytest.mark.embedded

TURNS = 15


def test_a_message_goes_round_the_choreography_and_the_reply_comes_back(tmp_path: Path) -> None:
    handlers = TurnHandlers(Recorder())
    stack = EmbeddedStack(
        port=0,
        moto_port=0,
        state_dir=tmp_path / "state",
        manifest=two_step_manifest(),
        resolver=resolver_for(handlers.all()),
        routes=GATEWAY_ROUTES,
        authorizer="fake.authorizer.handler",
        seed=False,
    )
    latencies: dict[str, list[float]] = {"ack": [], "reply": []}
    env_during: dict[str, str] = {}

    async def scenario() -> None:
        async with stack, aiohttp.ClientSession() as session:
            env_during.update(os.environ)
            async with session.ws_connect(stack.websocket_url + "?token=good") as ws:
                for _ in range(TURNS):
                    client_message_id = uuid.uuid4().hex
                    started = time.perf_counter()
                    await ws.send_str(json.dumps({"action": "sendMessage", "client_message_id": client_message_id}))
                    frames: dict[str, dict[str, Any]] = {}
                    # Both come, in either order: the ack is the route's response, the reply comes over the
                    # bus and @connections, and a loaded machine can let the reply overtake the ack.
                    while not {"ack", "reply"} <= frames.keys():
                        message = await ws.receive(timeout=10)
                        assert message.type == aiohttp.WSMsgType.TEXT, message
                        frame = json.loads(message.data)
                        assert frame["client_message_id"] == client_message_id
                        frames[frame["type"]] = frame
                        latencies[frame["type"]].append((time.perf_counter() - started) * 1000)
                    assert frames["reply"]["intent"] == "greeting"
                    assert "ack" in frames

    asyncio.run(scenario())

    assert env_during["AWS_ENDPOINT_URL"] == stack.moto_url
    assert env_during["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"] == stack.callback_url
    assert env_during["AICC_CALLBACK_URL"] == stack.callback_url
    assert env_during["AICC_BUS_NAME"] == "aicc"
    assert env_during["AICC_STATE_DIR"] == str((tmp_path / "state").resolve())
    assert os.environ.get("AWS_ENDPOINT_URL") is None, "stop() restores the environment"
    summary = stack.stats.summary()
    assert summary["aicc-intent"]["invocations"] >= 1 and summary["aicc-aggregator"]["errors"] == 0
    assert len(handlers.recorder.events("fake.disconnect.handler")) == 1
    # Reported, not asserted: budgets are measured by the benchmark, not by timed tests (DESIGN §8).
    ack, reply = statistics.median(latencies["ack"]), statistics.median(latencies["reply"])
    print(f"\nack p50 {ack:.1f} ms, reply p50 {reply:.1f} ms")
    print(stack.stats.format())
