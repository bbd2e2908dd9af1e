"""The embedded default keeps its data: a conversation and its booking outlive a killed DynamoDB
process and a restart of the whole stack; `fresh` starts empty.

Real handlers, real moto children, real WebSockets; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.agents.ingress import resume_after_s
from aicc.embedded.stack import EmbeddedStack
from aicc.runtime.auth import issue_token

pytestmark = pytest.mark.embedded

REPLY_WAIT_S = 30.0


def _stack(state_dir: Path, **options: Any) -> EmbeddedStack:
    return EmbeddedStack(port=0, moto_port=0, dynamodb_port=0, state_dir=state_dir, **options)


class Customer:
    """A customer's socket: each `say` waits for its turn's reply (retrying the same message id on a
    new socket if the reply does not come, as the chat client does)."""

    def __init__(self, stack: EmbeddedStack, session: aiohttp.ClientSession, user: str) -> None:
        self.stack, self.session, self.user = stack, session, user
        self.conversation_id: str | None = None
        self.replies: list[dict[str, Any]] = []

    async def say(self, text: str, *, retries: int = 5) -> dict[str, Any]:
        client_message_id = uuid.uuid4().hex
        for _ in range(retries + 1):
            frame = await self._send(text, client_message_id)
            if frame is not None:
                if frame["type"] == "reply":
                    self.replies.append(frame)
                    self.conversation_id = frame["conversation_id"]
                return frame
        raise AssertionError(f"no answer to {text!r}")

    async def _send(self, text: str, client_message_id: str) -> dict[str, Any] | None:
        token = issue_token(self.user, "customer", directory=self.stack.state_dir)
        try:
            ws = await self.session.ws_connect(f"{self.stack.websocket_url}?token={token}")
        except aiohttp.WSServerHandshakeError:  # $connect failed (its table is coming back): reconnect
            await asyncio.sleep(1)
            return None
        async with ws:
            body = {"action": "sendMessage", "client_message_id": client_message_id, "text": text}
            if self.conversation_id:
                body["conversation_id"] = self.conversation_id
            await ws.send_str(json.dumps(body))
            deadline = time.monotonic() + REPLY_WAIT_S
            while time.monotonic() < deadline:
                try:
                    message = await ws.receive(timeout=deadline - time.monotonic())
                except TimeoutError:
                    return None
                if message.type != aiohttp.WSMsgType.TEXT:
                    return None
                frame = json.loads(message.data)
                if frame.get("client_message_id") == client_message_id and frame["type"] in ("reply", "error"):
                    return dict(frame)
        return None


def _slots_offered(reply: dict[str, Any]) -> list[str]:
    return [a["action"] for a in reply.get("quick_actions", []) if a["action"].startswith("Book slot ")]


async def _book(customer: Customer) -> str:
    # A degraded first reply (the machine is busy: servicing missed the deadline) offers no slot;
    # the customer asks again, as a person would.
    for _ in range(3):
        offered = await customer.say("I need to book an oil change for my Aster")
        if _slots_offered(offered) or not offered.get("degraded"):
            break
    (action, *_) = _slots_offered(offered)
    booked = await customer.say(action)
    assert booked["type"] == "reply" and "booked" in booked["text"].lower(), booked
    return action.removeprefix("Book slot ")


def test_a_restarted_stack_continues_the_conversation_and_holds_its_booking(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            async with _stack(state_dir) as stack:
                nora = Customer(stack, session, "cust-0001")
                slot = await _book(nora)
                conversation = nora.conversation_id
                turns_before = DynamoDBConversations().turn_ids(str(conversation))

            async with _stack(state_dir) as stack:
                nora.stack = stack
                later = await nora.say("thanks, what time was that again?")
                assert later["type"] == "reply" and later["conversation_id"] == conversation, later
                turns_after = DynamoDBConversations().turn_ids(str(conversation))
                assert turns_after[: len(turns_before)] == turns_before and len(turns_after) == len(turns_before) + 1
                held = DynamoAppointments().get(slot)
                assert held is not None and held.customer_id == "cust-0001"

                other = Customer(stack, session, "cust-0007")
                grab = await other.say(f"Book slot {slot}")
                assert "booked your service appointment" not in grab.get("text", ""), grab
                held = DynamoAppointments().get(slot)
                assert held is not None and held.customer_id == "cust-0001"

                stranger = Customer(stack, session, "cust-0007")
                stranger.conversation_id = "conv-from-before-any-restart"
                refused = await stranger.say("hello again")
                assert refused["type"] == "error" and refused["code"] == "not_found", refused

            async with _stack(state_dir, fresh=True) as stack:
                assert DynamoAppointments().get(slot) is None
                assert DynamoDBConversations().turn_ids(str(conversation)) == []

    asyncio.run(asyncio.wait_for(scenario(), 240))


def test_a_killed_dynamodb_process_is_restarted_with_its_data_mid_conversation(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, _stack(tmp_path / "state") as stack:
            assert stack.dynamodb is not None
            nora = Customer(stack, session, "cust-0001")
            slot = await _book(nora)
            conversation = str(nora.conversation_id)
            killed = stack.dynamodb.pid
            assert killed is not None
            os.kill(killed, signal.SIGKILL)
            # The next turn goes in while the process is dead or coming back: it is answered once.
            later = await nora.say("is the appointment still on?")
            assert later["type"] == "reply" and later["conversation_id"] == conversation, later
            deadline = time.monotonic() + 15
            while stack.supervisor.restarts < 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert stack.supervisor.restarts == 1 and stack.supervisor.failure is None
            assert stack.dynamodb.pid != killed
            with pytest.raises(ChildProcessError):
                os.waitpid(killed, os.WNOHANG)  # reaped: no defunct child is left

            turn_ids = DynamoDBConversations().turn_ids(conversation)
            assert turn_ids == [reply["turn_id"] for reply in nora.replies]  # nothing lost, nothing twice
            held = DynamoAppointments().get(slot)
            assert held is not None and held.customer_id == "cust-0001"

    asyncio.run(asyncio.wait_for(scenario(), 180))


async def _frames(ws: aiohttp.ClientWebSocketResponse, until: float) -> list[dict[str, Any]]:
    """Every text frame that arrives on `ws` before the monotonic time `until`."""
    frames = []
    while (left := until - time.monotonic()) > 0:
        try:
            message = await ws.receive(timeout=left)
        except TimeoutError:
            break
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        frames.append(json.loads(message.data))
    return frames


def test_a_turn_in_flight_at_a_stop_is_answered_once_when_the_customer_retries(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    frame = {"action": "sendMessage", "client_message_id": uuid.uuid4().hex, "text": "my tire pressure light is on"}

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            async with _stack(state_dir) as stack:
                # The functions take nothing: the turn is stored and acknowledged, its message and
                # deadline wait in the queues, and the stop loses them.
                await stack.disable_mappings()
                token = issue_token("cust-0001", "customer", directory=stack.state_dir)
                async with session.ws_connect(f"{stack.websocket_url}?token={token}") as ws:
                    await ws.send_str(json.dumps(frame))
                    (ack,) = [f for f in await _frames(ws, time.monotonic() + 10) if f["type"] == "ack"]
                sent = time.monotonic()
                assert ack["client_message_id"] == frame["client_message_id"]

            async with _stack(state_dir) as stack:
                # The chat client retries the same message on a new socket while it has no reply.
                await asyncio.sleep(max(0.0, sent + resume_after_s() + 0.5 - time.monotonic()))
                token = issue_token("cust-0001", "customer", directory=stack.state_dir)
                async with session.ws_connect(f"{stack.websocket_url}?token={token}") as ws:
                    await ws.send_str(json.dumps(frame))
                    deadline = time.monotonic() + REPLY_WAIT_S
                    frames: list[dict[str, Any]] = []
                    while time.monotonic() < deadline and not any(f["type"] == "reply" for f in frames):
                        frames += await _frames(ws, min(deadline, time.monotonic() + 1))
                    # Long enough for a second reply (the turn's deadline, a redelivery) to show.
                    frames += await _frames(ws, time.monotonic() + resume_after_s())
                replies = [f for f in frames if f["type"] == "reply"]
                assert [(r["turn_id"], r["client_message_id"]) for r in replies] == [
                    (ack["turn_id"], frame["client_message_id"])
                ], frames
                assert DynamoDBConversations().turn_ids(ack["conversation_id"]) == [ack["turn_id"]]

    asyncio.run(asyncio.wait_for(scenario(), 180))
